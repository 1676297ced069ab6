namespace ProductOps.Grains.Abstractions;

/// <summary>Crossings read from the feed, and the position to read on from: the crossings are
/// consecutive in the feed, the last one at <see cref="Next"/>.</summary>
[GenerateSerializer, Immutable, Alias("productops.at-risk-feed-page")]
public sealed record AtRiskFeedPage([property: Id(0)] IReadOnlyList<AtRiskCrossing> Crossings, [property: Id(1)] AtRiskFeedPosition Next);
