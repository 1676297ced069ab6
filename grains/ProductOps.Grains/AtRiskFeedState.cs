namespace ProductOps.Grains;

/// <summary>
/// What an at-risk feed hands to its next activation when it deactivates gracefully (a silo
/// stopping in a rolling upgrade, a migration, idle collection): its epoch, sequence and the
/// crossings its readers may still need, so they read on as if nothing happened. Every
/// activation writes its own epoch here, not handed over, as it starts: a feed that later dies
/// with its silo hands on nothing and its watchers are told, and a rival activation's handover
/// (there are briefly two around a membership change) fails on the write's version check
/// instead of leaving a record an activation long after would take.
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

    /// <summary>The crossings readers may still need, oldest first, with their sequence numbers.</summary>
    [Id(3)]
    public List<AtRiskFeedEntry> Recent { get; set; } = [];
}
