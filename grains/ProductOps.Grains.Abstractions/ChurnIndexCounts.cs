namespace ProductOps.Grains.Abstractions;

/// <summary>Counts of one index shard, or of a whole tenant once summed.</summary>
/// <param name="Users">Users in the index: scored, not scored yet, or cancelled.</param>
/// <param name="Scored">Users with a score (a user who cancelled has none).</param>
/// <param name="AtRisk">Scored users judged at risk when scored (<see cref="ChurnIndexEntry.JudgedAtRisk"/>)
/// and at or above the threshold asked for.</param>
/// <param name="Cancelled">Users who cancelled (<see cref="ChurnIndexEntry.CancelledAtMs"/>): with
/// the scored ones, every user once a sweep has reached them all.</param>
[GenerateSerializer, Immutable, Alias("productops.churn-index-counts")]
public sealed record ChurnIndexCounts([property: Id(0)] int Users, [property: Id(1)] int Scored, [property: Id(2)] int AtRisk, [property: Id(3)] int Cancelled = 0)
{
    public static ChurnIndexCounts Zero { get; } = new(0, 0, 0);

    public ChurnIndexCounts Plus(ChurnIndexCounts other) =>
        new(Users + other.Users, Scored + other.Scored, AtRisk + other.AtRisk, Cancelled + other.Cancelled);
}
