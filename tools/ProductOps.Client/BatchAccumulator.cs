using Google.Protobuf;
using ProductOps.Contracts.V1;

namespace ProductOps.Client;

/// <summary>Fills TrackRequests up to the batch size and the request byte limit, each with a fresh
/// batch id. Not thread-safe: only the batcher's loop uses it.</summary>
internal sealed class BatchAccumulator(int maxBatchSize, int maxBatchBytes, BatchIdGenerator ids)
{
    /// <summary>Room kept in every request for what is not an event: the batch id (at most 32
    /// characters) and sent_at, which is set at each send (a Timestamp of at most 17 bytes).</summary>
    public const int RequestOverheadBytes = 64;

    private TrackRequest? _current;
    private int _bytes;

    /// <summary>Events in the batch being filled.</summary>
    public int Count => _current?.Events.Count ?? 0;

    /// <summary>What the event adds to a request's encoded size: its field tag, length and bytes.</summary>
    public static int EncodedSize(Event usageEvent) => 1 + CodedOutputStream.ComputeMessageSize(usageEvent);

    /// <summary>Whether the event fits in a request of <paramref name="maxBatchBytes"/> on its own.</summary>
    public static bool FitsAlone(int eventBytes, int maxBatchBytes) => RequestOverheadBytes + eventBytes <= maxBatchBytes;

    /// <summary>Takes the partly filled batch when an event of <paramref name="eventBytes"/> would
    /// put it over the byte limit; otherwise null.</summary>
    public TrackRequest? TakeIfNoRoomFor(int eventBytes) =>
        _current is not null && _bytes + eventBytes > maxBatchBytes ? TakePartial() : null;

    /// <summary>Adds an event; returns the batch when this event filled it, otherwise null. Call
    /// <see cref="TakeIfNoRoomFor"/> first, so the batch stays under the byte limit.</summary>
    public TrackRequest? Add(Event usageEvent, int eventBytes)
    {
        if (_current is null)
        {
            _current = NewRequest();
            _bytes = RequestOverheadBytes;
        }

        _current.Events.Add(usageEvent);
        _bytes += eventBytes;
        if (_current.Events.Count < maxBatchSize)
        {
            return null;
        }

        return TakePartial();
    }

    /// <summary>Takes the partly filled batch, or null when there is none.</summary>
    public TrackRequest? TakePartial()
    {
        var partial = _current;
        _current = null;
        _bytes = 0;
        return partial;
    }

    private TrackRequest NewRequest()
    {
        var request = new TrackRequest { BatchId = ids.Next() };
        request.Events.Capacity = maxBatchSize;
        return request;
    }
}
