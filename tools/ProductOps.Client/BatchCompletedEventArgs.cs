using ProductOps.Contracts.V1;

namespace ProductOps.Client;

/// <summary>The server's answer to one batch: how many events it accepted, already had, or rejected.</summary>
/// <param name="events">The batch's events; <c>RejectedEvent.index</c> points into this list.</param>
/// <param name="response">The server's response.</param>
/// <param name="attempts">How many times the batch was sent.</param>
public sealed class BatchCompletedEventArgs(IReadOnlyList<Event> events, TrackResponse response, int attempts)
    : EventArgs
{
    /// <summary>The batch's id, as echoed by the server.</summary>
    public string BatchId => Response.BatchId;

    /// <summary>The events of the batch, in the order sent.</summary>
    public IReadOnlyList<Event> Events { get; } = events;

    /// <summary>Accepted, duplicate and rejected counts; each rejection has an index, field and reason.</summary>
    public TrackResponse Response { get; } = response;

    /// <summary>How many times the batch was sent (1 unless its stream broke).</summary>
    public int Attempts { get; } = attempts;
}
