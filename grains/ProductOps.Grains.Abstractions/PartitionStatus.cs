namespace ProductOps.Grains.Abstractions;

/// <summary>Where a partition stands: last committed seq, last dispatched seq, last checkpoint,
/// and the commit time of the oldest committed event not yet dispatched (0 when none).
/// <see cref="PendingByTenant"/> splits the pending events it holds in memory by tenant, so a
/// tenant is told of its own backlog and not of the others'; the rest of the backlog, which only
/// the log holds (a partition far behind, or just activated), is unattributed: the commit time
/// of its oldest event is <see cref="UnattributedSinceMs"/> (0 when there is none, or when it is
/// not known yet).</summary>
[GenerateSerializer, Immutable, Alias("productops.partition-status")]
public sealed record PartitionStatus(
    [property: Id(0)] int Partition,
    [property: Id(1)] long Head,
    [property: Id(2)] long Dispatched,
    [property: Id(3)] long Checkpoint,
    [property: Id(4)] long OldestPendingCommittedAtMs,
    [property: Id(5)] IReadOnlyList<TenantPending> PendingByTenant,
    [property: Id(6)] long UnattributedSinceMs);
