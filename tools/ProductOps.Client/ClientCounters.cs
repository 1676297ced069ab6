using ProductOps.Contracts.V1;

namespace ProductOps.Client;

/// <summary>Thread-safe counters behind <see cref="ProductOpsClientStats"/>.</summary>
internal sealed class ClientCounters
{
    private long _eventsEnqueued;
    private long _eventsSent;
    private long _eventsAcknowledged;
    private long _accepted;
    private long _duplicates;
    private long _rejected;
    private long _batchesSent;
    private long _batchesAcknowledged;
    private long _batchesFailed;
    private long _retries;
    private long _streamsOpened;

    public void EventEnqueued() => Interlocked.Increment(ref _eventsEnqueued);

    public void BatchSent(int events)
    {
        Interlocked.Increment(ref _batchesSent);
        Interlocked.Add(ref _eventsSent, events);
    }

    public void BatchAcknowledged(int events, TrackResponse response)
    {
        Interlocked.Increment(ref _batchesAcknowledged);
        Interlocked.Add(ref _eventsAcknowledged, events);
        Interlocked.Add(ref _accepted, response.Accepted);
        Interlocked.Add(ref _duplicates, response.Duplicates);
        Interlocked.Add(ref _rejected, response.Rejected.Count);
    }

    public void BatchFailed() => Interlocked.Increment(ref _batchesFailed);

    public void Retried(int count) => Interlocked.Add(ref _retries, count);

    public void StreamOpened() => Interlocked.Increment(ref _streamsOpened);

    public ProductOpsClientStats Snapshot() => new(
        Interlocked.Read(ref _eventsEnqueued),
        Interlocked.Read(ref _eventsSent),
        Interlocked.Read(ref _eventsAcknowledged),
        Interlocked.Read(ref _accepted),
        Interlocked.Read(ref _duplicates),
        Interlocked.Read(ref _rejected),
        Interlocked.Read(ref _batchesSent),
        Interlocked.Read(ref _batchesAcknowledged),
        Interlocked.Read(ref _batchesFailed),
        Interlocked.Read(ref _retries),
        Interlocked.Read(ref _streamsOpened));
}
