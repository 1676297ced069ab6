namespace ProductOps.Domain;

/// <summary>One hour or day of a feature's series. A struct: a report holds ~750 of them (30 days
/// and their hours), one array instead of an object each.</summary>
[GenerateSerializer, Immutable, Alias("productops.series-point")]
public readonly record struct SeriesPoint(
    [property: Id(0)] long BucketStartMs,
    [property: Id(1)] long Events,
    [property: Id(2)] long DistinctUsers,
    [property: Id(3)] double ValueSum,
    [property: Id(4)] long NewAdopters,
    [property: Id(5)] long FeedbackCount,
    [property: Id(6)] double FeedbackSum);
