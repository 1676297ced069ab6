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
}
