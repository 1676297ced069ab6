namespace ProductOps.Grains.Abstractions;

/// <summary>A receiver of rolled-up deltas from partitions, idempotent through a watermark per
/// partition. State is persisted lazily, when a partition checkpoints (<see cref="Flush"/>).</summary>
public interface IAggregateGrain : IGrainWithStringKey
{
    Task<ReceiveOutcome> Receive(AggregateDelta delta);

    /// <summary>Persists the state; returns the watermark held for <paramref name="partition"/>.</summary>
    Task<long> Flush(int partition);
}
