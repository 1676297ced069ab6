using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

/// <summary>
/// The single writer of one event-log partition (key: partition number). Appends are group
/// committed; the reply comes only after the commit. Committed events are then dispatched in
/// sequence order to user grains and, rolled up, to feature and tenant grains.
/// </summary>
public interface IPartitionGrain : IGrainWithIntegerKey
{
    /// <summary>Appends events (all of this partition) to the log; returns once they are durable.</summary>
    Task<AppendResult> Append(AppendRequest request);

    /// <summary>Head, dispatch position and checkpoint, for freshness and tests.</summary>
    Task<PartitionStatus> GetStatus();

    /// <summary>Keeps the partition active so it dispatches what it committed before a crash.</summary>
    Task Ping();

    /// <summary>Dispatches everything committed so far and checkpoints; used before a graceful stop,
    /// while the receivers are still active, so a restart has nothing to re-dispatch.</summary>
    Task Drain();
}
