namespace ProductOps.Storage;

/// <summary>Where the embedded store keeps its files (configuration section "ProductOps").</summary>
public sealed class StorageOptions
{
    public const string Section = "ProductOps";

    /// <summary>The range <see cref="DedupFilterMaxBytes"/> may take, besides 0.</summary>
    public const long MinDedupFilterBytes = 1L << 20;

    public const long MaxDedupFilterBytes = 16L << 30;

    /// <summary>The range <see cref="LogWriterPageCacheKiB"/> may take.</summary>
    public const int MinLogWriterPageCacheKiB = 16;

    public const int MaxLogWriterPageCacheKiB = 1 << 20;

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

    /// <summary>
    /// The most memory a partition's dedup filter may take (0: no filter). The filter lets most
    /// new events skip the probe of the on-disk dedup index; it takes 1.25 bytes per event in the
    /// partition's log (up to twice that while its newest segment fills). Past this, the
    /// partition probes the index for every event, as without a filter.
    /// </summary>
    public long DedupFilterMaxBytes { get; set; } = 8L << 20;

    /// <summary>
    /// SQLite's page cache of each partition's write connection, in KiB. A writer touches few pages
    /// per commit (the end of the events table, the dedup index's young level), and the operating
    /// system caches the file too; whatever this allows, each of the node's partitions fills and
    /// keeps for good (SQLite's own default is 2,000 KiB: ~70 MB for 32 partitions).
    /// </summary>
    public int LogWriterPageCacheKiB { get; set; } = 256;
}
