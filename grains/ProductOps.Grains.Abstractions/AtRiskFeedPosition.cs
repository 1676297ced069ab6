namespace ProductOps.Grains.Abstractions;

/// <summary>A reader's place in the feed: the feed activation it read and the last sequence seen.</summary>
[GenerateSerializer, Immutable, Alias("productops.at-risk-feed-position")]
public sealed record AtRiskFeedPosition([property: Id(0)] Guid Epoch, [property: Id(1)] long Seq);
