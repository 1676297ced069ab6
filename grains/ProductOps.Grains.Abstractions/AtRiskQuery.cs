namespace ProductOps.Grains.Abstractions;

/// <summary>A page of the at-risk order.</summary>
/// <param name="MinProbability">Only users scored at or above it.</param>
/// <param name="Feature">Only users who used this feature; null for all.</param>
/// <param name="After">Continue after this position; null for the first page.</param>
/// <param name="Limit">At most this many users.</param>
[GenerateSerializer, Immutable, Alias("productops.at-risk-query")]
public sealed record AtRiskQuery(
    [property: Id(0)] double MinProbability,
    [property: Id(1)] string? Feature,
    [property: Id(2)] AtRiskCursor? After,
    [property: Id(3)] int Limit);
