namespace ProductOps.Domain;

/// <summary>What a feature knows of itself for its adoption row: everything but the tenant's active
/// users, which only the tenant has. A query asks both at once and puts them together with
/// <see cref="Against"/>.</summary>
[GenerateSerializer, Immutable, Alias("productops.feature-totals")]
public sealed record FeatureTotals(
    [property: Id(0)] string Feature,
    [property: Id(1)] long AdoptersAllTime,
    [property: Id(2)] long EventsAllTime,
    [property: Id(3)] ActiveUsers Users,
    [property: Id(4)] long FeedbackCount,
    [property: Id(5)] double FeedbackSum)
{
    /// <summary>The adoption row: the feature's active users over the tenant's, of the same day.</summary>
    public FeatureSummary Against(ActiveUsers tenant) => new(
        Feature,
        AdoptersAllTime,
        EventsAllTime,
        Ratio(Users.Day1, tenant.Day1),
        Ratio(Users.Day7, tenant.Day7),
        Ratio(Users.Day30, tenant.Day30),
        FeedbackCount,
        FeedbackSum);

    /// <summary>At most 1: a feature's active users are some of the tenant's, but the two grains are
    /// read a moment apart, and a feature read a dispatch ahead of its tenant counts users the
    /// tenant does not yet: more than every active user would be no reading at all.</summary>
    private static double Ratio(long part, long whole) => whole == 0 ? 0 : Math.Min(1, (double)part / whole);
}
