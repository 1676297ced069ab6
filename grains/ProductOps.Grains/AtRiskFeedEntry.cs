using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>One crossing in the feed with its sequence number; or, with no crossing, the place of
/// <paramref name="Dropped"/> crossings an index shard had to drop before the feed numbered them,
/// so a reader reaching it is told.</summary>
[GenerateSerializer, Immutable, Alias("productops.at-risk-feed-entry")]
public sealed record AtRiskFeedEntry([property: Id(0)] long Seq, [property: Id(1)] AtRiskCrossing? Crossing, [property: Id(2)] long Dropped = 0);
