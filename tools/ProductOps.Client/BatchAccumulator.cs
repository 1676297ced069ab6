using ProductOps.Contracts.V1;

namespace ProductOps.Client;

/// <summary>Fills TrackRequests up to the batch size, each with a fresh batch id. Not thread-safe:
/// only the batcher's loop uses it.</summary>
internal sealed class BatchAccumulator(int maxBatchSize, BatchIdGenerator ids)
{
    private TrackRequest? _current;

    /// <summary>Events in the batch being filled.</summary>
    public int Count => _current?.Events.Count ?? 0;

    /// <summary>Adds an event; returns the batch when this event filled it, otherwise null.</summary>
    public TrackRequest? Add(Event usageEvent)
    {
        _current ??= NewRequest();
        _current.Events.Add(usageEvent);
        if (_current.Events.Count < maxBatchSize)
        {
            return null;
        }

        var full = _current;
        _current = null;
        return full;
    }

    /// <summary>Takes the partly filled batch, or null when there is none.</summary>
    public TrackRequest? TakePartial()
    {
        var partial = _current;
        _current = null;
        return partial;
    }

    private TrackRequest NewRequest()
    {
        var request = new TrackRequest { BatchId = ids.Next() };
        request.Events.Capacity = maxBatchSize;
        return request;
    }
}
