using SQLitePCL;

namespace ProductOps.Storage;

/// <summary>Where a partition writer's <see cref="DedupFilter"/> comes from: the most memory it
/// may take, and a connection of its own on the partition's file, to read the dedup index in
/// while the writer goes on committing.</summary>
internal sealed record DedupFilterSource(long MaxBytes, Func<sqlite3> OpenConnection)
{
    /// <summary>For tests: runs on the reading thread before it reads the index.</summary>
    public Action? ReadStarting { get; init; }
}
