namespace ProductOps.Grains.Abstractions;

/// <summary>Shape of the ingestion pipeline (configuration section "ProductOps:Pipeline").
/// Every silo and gateway of a cluster must agree on <see cref="Partitions"/>.</summary>
public sealed class PipelineOptions
{
    public const string Section = "ProductOps:Pipeline";

    /// <summary>Event-log partitions, each with one writer. Fixed for the life of a data set.</summary>
    public int Partitions { get; set; } = 32;

    /// <summary>How often a partition makes its receivers persist and records its dispatch checkpoint.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a partition lets a small backlog gather (after its oldest commit) before
    /// dispatching it: every cycle costs one call per receiver it touches, so short cycles cost
    /// about a receiver call per event. Bounds how much it adds to freshness.</summary>
    public TimeSpan DispatchGatherDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>A partition drained for its silo's graceful stop stops dispatching and leaves the
    /// rest to its next activation; if it is still active this long after (its silo did not stop),
    /// it dispatches again rather than leave its commits undispatched. Longer than a stop takes.</summary>
    public TimeSpan HandOffTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Most events one dispatch cycle carries.</summary>
    public int MaxDispatchEvents { get; set; } = 4096;

    /// <summary>Most user grains one partition calls at once in a dispatch cycle.</summary>
    public int MaxConcurrentUserCalls { get; set; } = 256;

    /// <summary>A user grain writes its snapshot after this many new events (and on deactivation);
    /// in between, a lost user grain catches up from the log.</summary>
    public int UserSnapshotEvery { get; set; } = 256;

    /// <summary>A feature or tenant writes, at each checkpoint, only the counters changed since it
    /// last wrote all of them (its history); it writes the history again once its checkpoints since
    /// held, in all, as many counters as the history and at least this many.</summary>
    public int ReceiverHistoryRewriteAfter { get; set; } = 256;
}
