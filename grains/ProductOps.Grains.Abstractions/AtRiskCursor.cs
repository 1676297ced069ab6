namespace ProductOps.Grains.Abstractions;

/// <summary>A position in the at-risk order (probability descending, then user id ascending):
/// a page continues strictly after it, so pages stay stable while scores change.</summary>
[GenerateSerializer, Immutable, Alias("productops.at-risk-cursor")]
public sealed record AtRiskCursor([property: Id(0)] float Probability, [property: Id(1)] string UserId)
{
    /// <summary>Negative when user a comes before user b in the at-risk order.</summary>
    public static int Compare(float aProbability, string aUserId, float bProbability, string bUserId)
    {
        var byProbability = bProbability.CompareTo(aProbability);
        return byProbability != 0 ? byProbability : string.CompareOrdinal(aUserId, bUserId);
    }

    /// <summary>Whether a scored user comes after this position.</summary>
    public bool Precedes(float probability, string userId) => Compare(Probability, UserId, probability, userId) < 0;
}
