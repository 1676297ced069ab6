using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

/// <summary>
/// The single writer of one event-log partition (key: partition number). Appends are group
/// committed; the reply comes only after the commit. Committed events are then dispatched in
/// sequence order to user grains and, rolled up, to feature and tenant grains.
/// </summary>
public interface IPartitionGrain : IGrainWithIntegerKey
{
    /// <summary>Appends events (all of this partition) to the log; returns once they are durable.
    /// A request lost with a silo (its gateway or the partition's host died) fails after the
    /// timeout rather than Orleans' default 30 s, so the client's retry with the same ids (a
    /// duplicate at worst) comes sooner; a healthy commit takes well under a second.</summary>
    [ResponseTimeout("00:00:10")]
    Task<AppendResult> Append(AppendRequest request);

    /// <summary>Head, dispatch position and checkpoint, for freshness and tests.</summary>
    Task<PartitionStatus> GetStatus();

    /// <summary>Keeps the partition active so it dispatches what it committed before a crash.</summary>
    Task Ping();

    /// <summary>Dispatches everything committed when called and checkpoints, then stops
    /// dispatching (it keeps committing): used just before a graceful stop of its silo, while
    /// the receivers are still active, so the next activation has little to re-dispatch and this
    /// one's deactivation waits on no dispatch cycle. Only an activation on
    /// <paramref name="stoppingSilo"/> drains: around a membership change the directory may name
    /// another activation than the one the stopping silo holds, and that one must go on
    /// dispatching, since no silo stop will hand its work to a next activation. One drained on a
    /// silo that then does not stop dispatches again after <see cref="PipelineOptions.HandOffTimeout"/>.</summary>
    Task Drain(SiloAddress stoppingSilo);
}
