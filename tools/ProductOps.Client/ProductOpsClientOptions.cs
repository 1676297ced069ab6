namespace ProductOps.Client;

/// <summary>Where the client connects, with which key, and how it batches and retries.</summary>
public sealed class ProductOpsClientOptions
{
    /// <summary>The gateway's gRPC address. <c>http://</c> means HTTP/2 without TLS.</summary>
    public Uri Address { get; set; } = new("http://127.0.0.1:5000");

    /// <summary>Sent as <c>x-api-key</c> on ingest calls; needs the <c>ingest</c> scope.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>Sent as <c>x-api-key</c> on <see cref="ProductOpsClient.Query"/> calls; needs the
    /// <c>read</c> scope. Defaults to <see cref="ApiKey"/>.</summary>
    public string? QueryApiKey { get; set; }

    /// <summary>Most events in one batch (one <c>TrackRequest</c>).</summary>
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>Most encoded bytes in one batch: a batch that would grow past it is sent first. The
    /// server refuses a larger request as a whole (<c>ProductOps:Limits:MaxRequestBytes</c>, 1 MiB by
    /// default), so keep this at or under the server's limit. At least 1 KiB.</summary>
    public int MaxBatchBytes { get; set; } = 1_048_576;

    /// <summary>Most batches sent on the stream and not yet acknowledged. When the window is full,
    /// <see cref="ProductOpsClient.TrackAsync"/> waits.</summary>
    public int MaxInFlightBatches { get; set; } = 16;

    /// <summary>How many times a batch is resent after a transient failure before the client gives up.</summary>
    public int MaxRetries { get; set; } = 8;

    /// <summary>Delay before the first retry; doubled for each further retry, with jitter.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest delay between retries.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest a partly filled batch waits for more events before it is sent anyway.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Deadline of each unary call (Track, Identify).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long disposal waits for queued events to be sent and acknowledged.</summary>
    public TimeSpan DisposeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Optional HTTP handler (for example a test server's); the client does not dispose it.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Address);
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException("An API key is required.", nameof(ApiKey));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchBytes, 1_024, nameof(MaxBatchBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlightBatches, 1, nameof(MaxInFlightBatches));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialRetryDelay, TimeSpan.Zero, nameof(InitialRetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, InitialRetryDelay, nameof(MaxRetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(FlushInterval, TimeSpan.Zero, nameof(FlushInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero, nameof(RequestTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(DisposeTimeout, TimeSpan.Zero, nameof(DisposeTimeout));
    }
}
