namespace ProductOps.Bench;

/// <summary>The processes a run measures as "the node": the all-in-one process, or every silo and
/// gateway of a cluster; and whether the PostgreSQL server they use runs on this machine and its
/// CPU is reported beside theirs.</summary>
internal sealed record NodeProcesses(IReadOnlyList<int> Pids, bool CountDatabase)
{
    /// <summary>An external node whose PIDs were not given: no CPU or memory figures.</summary>
    public static NodeProcesses Unknown { get; } = new([], false);

    public bool Known => Pids.Count > 0;
}
