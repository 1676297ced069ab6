using Orleans.Concurrency;

namespace ProductOps.Grains.Abstractions;

/// <summary>A receiver of rolled-up deltas from partitions, idempotent through a watermark per
/// partition. State is persisted lazily, when a partition checkpoints (<see cref="Flush"/>).</summary>
public interface IAggregateGrain : IGrainWithStringKey
{
    /// <summary>A <see cref="ValueTask{TResult}"/>: a delta applied at once answers without a task.</summary>
    ValueTask<ReceiveOutcome> Receive(AggregateDelta delta);

    /// <summary>Persists the state; returns the watermark for <paramref name="partition"/> that the
    /// stored state holds. Interleaves with every call, so flushes arriving while a write runs share
    /// it. Orleans also lets a <see cref="Receive"/> start while a flush awaits its write, so an
    /// implementation must hold the state still until the write ends (a Receive waits for it);
    /// otherwise the returned watermark could cover a delta that was never stored.</summary>
    [AlwaysInterleave]
    Task<long> Flush(int partition);
}
