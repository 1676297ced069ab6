namespace ProductOps.Client;

/// <summary>A snapshot of a client's counters since it was created.</summary>
/// <param name="EventsEnqueued">Events accepted by <see cref="ProductOpsClient.TrackAsync"/>.</param>
/// <param name="EventsSent">Events in batches handed to the stream (each counted once, retries aside).</param>
/// <param name="EventsAcknowledged">Events in batches the server answered, streamed or unary.</param>
/// <param name="Accepted">Events the server newly wrote.</param>
/// <param name="Duplicates">Events the server already had (a retry, or a resent id).</param>
/// <param name="Rejected">Events the server refused as invalid.</param>
/// <param name="BatchesSent">Batches sent, streamed or unary.</param>
/// <param name="BatchesAcknowledged">Batches the server answered.</param>
/// <param name="BatchesFailed">Batches given up on.</param>
/// <param name="Retries">Batch and call resends after transient failures.</param>
/// <param name="StreamsOpened">TrackStream calls opened (one, plus one per reconnection).</param>
public readonly record struct ProductOpsClientStats(
    long EventsEnqueued,
    long EventsSent,
    long EventsAcknowledged,
    long Accepted,
    long Duplicates,
    long Rejected,
    long BatchesSent,
    long BatchesAcknowledged,
    long BatchesFailed,
    long Retries,
    long StreamsOpened);
