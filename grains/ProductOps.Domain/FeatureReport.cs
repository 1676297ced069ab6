namespace ProductOps.Domain;

/// <summary>What GetFeature returns.</summary>
[GenerateSerializer, Immutable, Alias("productops.feature-report")]
public sealed record FeatureReport(
    [property: Id(0)] FeatureSummary Summary,
    [property: Id(1)] IReadOnlyList<SeriesPoint> Daily,
    [property: Id(2)] IReadOnlyList<SeriesPoint> Hourly,
    [property: Id(3)] long AsOfMs);
