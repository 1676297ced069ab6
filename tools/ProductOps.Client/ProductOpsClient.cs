using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using ProductOps.Contracts.V1;

namespace ProductOps.Client;

/// <summary>The ProductOps client for apps: tracks usage events in batches over one long-lived
/// TrackStream, sends single batches and identify calls, and queries analytics.</summary>
/// <remarks>
/// <para><see cref="TrackAsync"/> queues an event; batches of up to
/// <see cref="ProductOpsClientOptions.MaxBatchSize"/> events and
/// <see cref="ProductOpsClientOptions.MaxBatchBytes"/> encoded bytes go out on the stream with at most
/// <see cref="ProductOpsClientOptions.MaxInFlightBatches"/> unacknowledged, and TrackAsync waits while
/// that window is full. A batch whose stream breaks is resent unchanged on a new stream, so the server
/// deduplicates by event id. <see cref="FlushAsync"/> waits for the acknowledgements.</para>
/// <para>A batch that fails for good (a refused key, an invalid batch, retries exhausted) faults the
/// client: from then on TrackAsync and FlushAsync throw <see cref="ProductOpsIngestException"/>.</para>
/// </remarks>
public sealed class ProductOpsClient : IAsyncDisposable
{
    private readonly ProductOpsClientOptions _options;
    private readonly GrpcChannel _channel;
    private readonly IngestService.IngestServiceClient _ingest;
    private readonly ClientCounters _counters = new();
    private readonly BatchIdGenerator _batchIds = new();
    private readonly RetryPolicy _retry;
    private readonly BatchWindow _window;
    private readonly EventBatcher _batcher;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _batching;
    private readonly Task _sending;
    private int _disposed;

    /// <summary>Creates the client; it connects on first use.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ProductOpsClient(ProductOpsClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _channel = GrpcChannel.ForAddress(options.Address, new GrpcChannelOptions
        {
            HttpHandler = options.HttpHandler ?? CreateHandler(),
            DisposeHttpClient = options.HttpHandler is null,
            ThrowOperationCanceledOnCancellation = true,
        });
        _ingest = new IngestService.IngestServiceClient(_channel.Intercept(new ApiKeyInterceptor(options.ApiKey)));
        Query = new QueryService.QueryServiceClient(
            _channel.Intercept(new ApiKeyInterceptor(options.QueryApiKey ?? options.ApiKey)));

        _retry = new RetryPolicy(options.MaxRetries, options.InitialRetryDelay, options.MaxRetryDelay);
        _window = new BatchWindow(options.MaxInFlightBatches, _counters, RaiseBatchCompleted);
        var sender = new TrackStreamSender(
            token => _ingest.TrackStream(cancellationToken: token), _window, _retry, _counters);
        _batcher = new EventBatcher(options, _batchIds, _window, sender, _counters);
        _sending = Task.Run(() => sender.RunAsync(_shutdown.Token), CancellationToken.None);
        _batching = Task.Run(() => _batcher.RunAsync(_shutdown.Token), CancellationToken.None);
    }

    /// <summary>Raised for every acknowledged batch, streamed or sent with
    /// <see cref="SendBatchAsync"/>, on a background thread. Handlers should be quick and must not
    /// throw: an exception from a handler is ignored so acknowledgements keep flowing.</summary>
    public event EventHandler<BatchCompletedEventArgs>? BatchCompleted;

    /// <summary>The query API, with <see cref="ProductOpsClientOptions.QueryApiKey"/> attached.</summary>
    public QueryService.QueryServiceClient Query { get; }

    /// <summary>The client's counters right now.</summary>
    public ProductOpsClientStats Stats => _counters.Snapshot();

    /// <summary>Queues an event for the stream; waits while the in-flight window is full.</summary>
    /// <remarks>An event without an event_id gets a new one and one without a timestamp gets the
    /// current time, here, so a resend carries the same. Do not change the event afterwards.</remarks>
    /// <exception cref="ArgumentException">The event alone is over
    /// <see cref="ProductOpsClientOptions.MaxBatchBytes"/>: no request could carry it.</exception>
    /// <exception cref="ProductOpsIngestException">The client is faulted.</exception>
    public ValueTask TrackAsync(Event usageEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(usageEvent);
        ThrowIfUnusable();
        Stamp(usageEvent);
        var bytes = BatchAccumulator.EncodedSize(usageEvent);
        if (!BatchAccumulator.FitsAlone(bytes, _options.MaxBatchBytes))
        {
            // Refused here: on the stream it would fail its whole batch and fault the client.
            throw new ArgumentException(
                $"The event is {bytes} bytes encoded; a request holds at most {_options.MaxBatchBytes} (MaxBatchBytes).",
                nameof(usageEvent));
        }

        return _batcher.AddAsync(usageEvent, bytes, cancellationToken);
    }

    /// <summary>Waits until every event queued before the call is acknowledged by the server.</summary>
    /// <exception cref="ProductOpsIngestException">A batch failed for good; the client is faulted.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        await _batcher.FlushAsync(cancellationToken);
        ThrowIfUnusable();
    }

    /// <summary>Sends the events as one unary Track call, with the same retry policy as the stream,
    /// and returns the server's response (rejections index into <paramref name="events"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">More events than MaxBatchSize.</exception>
    /// <exception cref="ProductOpsIngestException">The call failed for good.</exception>
    public async Task<TrackResponse> SendBatchAsync(IReadOnlyList<Event> events,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(events.Count, _options.MaxBatchSize, nameof(events));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var request = new TrackRequest { BatchId = _batchIds.Next() };
        foreach (var usageEvent in events)
        {
            ArgumentNullException.ThrowIfNull(usageEvent, nameof(events));
            Stamp(usageEvent);
            request.Events.Add(usageEvent);
        }

        _counters.BatchSent(events.Count);
        try
        {
            var (response, attempts) = await CallWithRetryAsync(
                options =>
                {
                    request.SentAt = Timestamp.FromDateTime(DateTime.UtcNow);
                    return _ingest.TrackAsync(request, options);
                },
                request.BatchId,
                cancellationToken);
            _counters.BatchAcknowledged(events.Count, response);
            RaiseBatchCompleted(request.Events, response, attempts);
            return response;
        }
        catch (ProductOpsIngestException)
        {
            _counters.BatchFailed();
            throw;
        }
    }

    /// <summary>Sets user traits, with the same retry policy. A request without an event_id gets a
    /// new one and one without a timestamp the current time, so a retry is deduplicated.</summary>
    /// <exception cref="ProductOpsIngestException">The call failed for good.</exception>
    public async Task<IdentifyResponse> IdentifyAsync(IdentifyRequest request,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (string.IsNullOrEmpty(request.EventId))
        {
            request.EventId = NewEventId();
        }

        request.Timestamp ??= Timestamp.FromDateTime(DateTime.UtcNow);
        var (response, _) = await CallWithRetryAsync(
            options => _ingest.IdentifyAsync(request, options), null, cancellationToken);
        return response;
    }

    /// <summary>Sends what is queued and waits for its acknowledgement, for at most
    /// <see cref="ProductOpsClientOptions.DisposeTimeout"/>, then closes the connection. Failures are
    /// not thrown here: call <see cref="FlushAsync"/> first to observe them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _batcher.Complete();
        var drained = Task.WhenAll(_batching, _sending);
        await Task.WhenAny(drained, Task.Delay(_options.DisposeTimeout, CancellationToken.None));
        await _shutdown.CancelAsync();
        await drained;
        _window.FailAll(new ObjectDisposedException(nameof(ProductOpsClient)));
        _window.Dispose();
        _channel.Dispose();
        _shutdown.Dispose();
    }

    private static SocketsHttpHandler CreateHandler() => new()
    {
        // One busy stream should not hold up queries on the same connection's limit.
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        AutomaticDecompression = DecompressionMethods.None,
    };

    private static string NewEventId() => Guid.CreateVersion7().ToString("N");

    private static void Stamp(Event usageEvent)
    {
        if (string.IsNullOrEmpty(usageEvent.EventId))
        {
            usageEvent.EventId = NewEventId();
        }

        usageEvent.Timestamp ??= Timestamp.FromDateTime(DateTime.UtcNow);
    }

    private async Task<(TResponse Response, int Attempts)> CallWithRetryAsync<TResponse>(
        Func<CallOptions, AsyncUnaryCall<TResponse>> call, string? batchId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            Exception failure;
            try
            {
                var options = new CallOptions(
                    deadline: DateTime.UtcNow + _options.RequestTimeout, cancellationToken: cancellationToken);
                return (await call(options), attempt);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The channel throws cancellations on cancellation, and that includes an exceeded
                // deadline: the server may just be slow, so it is retried like DeadlineExceeded.
                failure = new RpcException(new Status(StatusCode.DeadlineExceeded,
                    $"No answer within the request timeout ({_options.RequestTimeout})"));
            }
            catch (Exception caught) when (caught is RpcException or HttpRequestException or IOException)
            {
                failure = caught;
            }

            if (!RetryPolicy.IsRetryable(failure) || attempt > _retry.MaxRetries)
            {
                throw ProductOpsIngestException.From(failure, batchId, attempt);
            }

            _counters.Retried(1);
            await Task.Delay(_retry.DelayBefore(attempt), cancellationToken);
        }
    }

    private void RaiseBatchCompleted(PendingBatch batch, TrackResponse response) =>
        RaiseBatchCompleted(batch.Request.Events, response, batch.Attempts);

    private void RaiseBatchCompleted(IReadOnlyList<Event> events, TrackResponse response, int attempts)
    {
        var handler = BatchCompleted;
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, new BatchCompletedEventArgs(events, response, attempts));
        }
        catch (Exception)
        {
            // A subscriber's bug must not stall the stream's acknowledgements.
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_window.Fault is { } fault)
        {
            throw fault is ProductOpsIngestException ingest
                ? ingest.Again()
                : new ProductOpsIngestException(fault.Message, fault);
        }
    }
}
