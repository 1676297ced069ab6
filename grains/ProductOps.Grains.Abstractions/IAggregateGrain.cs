using Orleans.Concurrency;

namespace ProductOps.Grains.Abstractions;

/// <summary>A receiver of rolled-up deltas from partitions, idempotent through a watermark per
/// partition. State is persisted lazily, when a partition checkpoints (<see cref="Flush"/>).</summary>
public interface IAggregateGrain : IGrainWithStringKey
{
    Task<ReceiveOutcome> Receive(AggregateDelta delta);

    /// <summary>Persists the state; returns the watermark held for <paramref name="partition"/>.
    /// Interleaves with other flushes (and reads) but never with <see cref="Receive"/>, so flushes
    /// that arrive while a write runs can share it: the state cannot change meanwhile.</summary>
    [AlwaysInterleave]
    Task<long> Flush(int partition);
}
