namespace ProductOps.Grains.Abstractions;

/// <summary>Where a partition stands: last committed seq, last dispatched seq, last checkpoint,
/// and the commit time of the oldest committed event not yet dispatched (0 when none).</summary>
[GenerateSerializer, Immutable, Alias("productops.partition-status")]
public sealed record PartitionStatus(
    [property: Id(0)] int Partition,
    [property: Id(1)] long Head,
    [property: Id(2)] long Dispatched,
    [property: Id(3)] long Checkpoint,
    [property: Id(4)] long OldestPendingCommittedAtMs);
