using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// What an at-risk feed hands to its next activation when it deactivates gracefully (a silo
/// stopping in a rolling upgrade, a migration, idle collection): its epoch, sequence and latest
/// crossings, so its watchers read on as if nothing happened. Cleared by the activation that takes
/// it, so a feed that later dies with its silo hands on nothing and its watchers are told.
/// </summary>
[GenerateSerializer, Alias("productops.at-risk-feed-state")]
public sealed class AtRiskFeedState
{
    /// <summary>Whether a graceful deactivation left this for the next activation.</summary>
    [Id(0)]
    public bool HandedOver { get; set; }

    [Id(1)]
    public Guid Epoch { get; set; }

    /// <summary>The sequence number of the latest crossing published.</summary>
    [Id(2)]
    public long Head { get; set; }

    /// <summary>The latest crossings, oldest first, with their sequence numbers.</summary>
    [Id(3)]
    public List<AtRiskFeedEntry> Recent { get; set; } = [];
}

/// <summary>One crossing in the feed, with its sequence number.</summary>
[GenerateSerializer, Immutable, Alias("productops.at-risk-feed-entry")]
public sealed record AtRiskFeedEntry([property: Id(0)] long Seq, [property: Id(1)] AtRiskCrossing Crossing);
