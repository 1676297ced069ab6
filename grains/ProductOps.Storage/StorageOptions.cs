namespace ProductOps.Storage;

/// <summary>Where the embedded store keeps its files (configuration section "ProductOps").</summary>
public sealed class StorageOptions
{
    public const string Section = "ProductOps";

    /// <summary>Folder of the embedded event log and grain state; created when missing.</summary>
    public string DataDir { get; set; } = "data";

    /// <summary>
    /// SQLite synchronous mode. "Normal" (default, with WAL) makes every commit survive a process
    /// crash (kill -9); "Full" also survives power loss, at a cost per commit.
    /// </summary>
    public string SqliteSynchronous { get; set; } = "Normal";

    /// <summary>
    /// Events whose dedup keys a partition of the embedded log holds in memory (44 bytes each at
    /// full capacity) before writing them into its on-disk dedup index in one sorted pass. Larger: fewer
    /// index pages rewritten per event, more memory, a longer pause of the partition's commits
    /// at each merge.
    /// </summary>
    public int DedupMergeEvents { get; set; } = 16_384;
}
