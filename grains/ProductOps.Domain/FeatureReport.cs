namespace ProductOps.Domain;

/// <summary>What GetFeature returns, but for the adoption ratios: with the tenant's active users of
/// <see cref="AsOfMs"/>'s day, <see cref="Totals"/> gives the summary. <see cref="Version"/> is the
/// feature grain's when it answered (null from a silo of an earlier build).</summary>
[GenerateSerializer, Immutable, Alias("productops.feature-report")]
public sealed record FeatureReport(
    [property: Id(0)] FeatureTotals Totals,
    [property: Id(1)] IReadOnlyList<SeriesPoint> Daily,
    [property: Id(2)] IReadOnlyList<SeriesPoint> Hourly,
    [property: Id(3)] long AsOfMs,
    [property: Id(4)] ReceiverVersion? Version = null);
