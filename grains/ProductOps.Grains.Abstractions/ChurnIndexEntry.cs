namespace ProductOps.Grains.Abstractions;

/// <summary>One user's line in the at-risk index: the latest score the user grain pushed.</summary>
/// <param name="UserId">The user.</param>
/// <param name="Risk">The latest score; null while the tenant had no active model, and for a
/// user who cancelled (<paramref name="CancelledAtMs"/>).</param>
/// <param name="Features">Features the user has used, for the feature filter.</param>
/// <param name="AlertThreshold">The tenant's alert threshold the user was judged with: the user is
/// at risk, and <paramref name="Risk"/> carries reasons, when its probability is at or above it.
/// 0 in lines recorded before lines carried it (see <see cref="JudgedAtRisk"/>).</param>
/// <param name="CancelledAtMs">When the user cancelled: their latest churn event, with no other
/// usage at or after it (the lifecycle's "cancelled"). Such a user has churned and is not
/// scored, ranked, counted at risk or alerted until they use the product again.</param>
[GenerateSerializer, Immutable, Alias("productops.churn-index-entry")]
public sealed record ChurnIndexEntry(
    [property: Id(0)] string UserId,
    [property: Id(1)] ChurnRisk? Risk,
    [property: Id(2)] IReadOnlyList<string> Features,
    [property: Id(3)] double AlertThreshold = 0,
    [property: Id(4)] long? CancelledAtMs = null)
{
    /// <summary>Whether the user was judged at risk when scored: a probability at or above the
    /// threshold of the time, so the line carries reasons and the user was alerted. A line from
    /// before lines carried their threshold was judged at risk exactly when it was explained.</summary>
    public bool JudgedAtRisk => Risk is { } risk && (AlertThreshold > 0 ? risk.Probability >= AlertThreshold : risk.Reasons.Count > 0);
}
