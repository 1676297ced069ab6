namespace ProductOps.Domain;

/// <summary>One hour or day of a feature's series.</summary>
[GenerateSerializer, Immutable, Alias("productops.series-point")]
public sealed record SeriesPoint(
    [property: Id(0)] long BucketStartMs,
    [property: Id(1)] long Events,
    [property: Id(2)] long DistinctUsers,
    [property: Id(3)] double ValueSum,
    [property: Id(4)] long NewAdopters,
    [property: Id(5)] long FeedbackCount,
    [property: Id(6)] double FeedbackSum);
