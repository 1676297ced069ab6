using System.Diagnostics;
using System.Threading.Channels;
using ProductOps.Contracts.V1;

namespace ProductOps.Client;

/// <summary>Collects tracked events into batches and hands them to the sender, one window slot per
/// batch. A batch goes when it is full, when it has waited FlushInterval, or on a flush.</summary>
internal sealed class EventBatcher
{
    private readonly Channel<Item> _input;
    private readonly BatchAccumulator _accumulator;
    private readonly BatchWindow _window;
    private readonly TrackStreamSender _sender;
    private readonly ClientCounters _counters;
    private readonly TimeSpan _flushInterval;
    private long _sequence;

    public EventBatcher(ProductOpsClientOptions options, BatchIdGenerator ids, BatchWindow window,
        TrackStreamSender sender, ClientCounters counters)
    {
        // One batch of room: once the window is full, writers wait here (the backpressure).
        _input = Channel.CreateBounded<Item>(new BoundedChannelOptions(options.MaxBatchSize)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _accumulator = new BatchAccumulator(options.MaxBatchSize, options.MaxBatchBytes, ids);
        _window = window;
        _sender = sender;
        _counters = counters;
        _flushInterval = options.FlushInterval;
    }

    /// <param name="usageEvent">The event, stamped.</param>
    /// <param name="eventBytes">Its <see cref="BatchAccumulator.EncodedSize"/>.</param>
    /// <param name="cancellationToken">Stops the wait for room.</param>
    public ValueTask AddAsync(Event usageEvent, int eventBytes, CancellationToken cancellationToken)
    {
        var item = new Item(usageEvent, eventBytes, null);

        // Fast path without an async state machine: there is almost always room.
        if (_input.Writer.TryWrite(item))
        {
            _counters.EventEnqueued();
            return ValueTask.CompletedTask;
        }

        return AddSlowAsync(item, cancellationToken);
    }

    /// <summary>Completes when every event added before the call is acknowledged; faults with the
    /// first batch failure among them.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _input.Writer.WriteAsync(new Item(null, 0, flushed), cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(ProductOpsClient));
        }

        await flushed.Task.WaitAsync(cancellationToken);
    }

    /// <summary>No more events: the loop sends what it holds and completes the sender.</summary>
    public void Complete() => _input.Writer.TryComplete();

    public async Task RunAsync(CancellationToken shutdown)
    {
        var reader = _input.Reader;
        Task<bool>? waiting = null;
        var openedAt = 0L;
        try
        {
            while (true)
            {
                while (reader.TryRead(out var item))
                {
                    if (item.Flushed is { } flushed)
                    {
                        try
                        {
                            await DispatchAsync(_accumulator.TakePartial(), shutdown);
                        }
                        catch (OperationCanceledException)
                        {
                            flushed.TrySetException(new ObjectDisposedException(nameof(ProductOpsClient)));
                            throw;
                        }

                        CompleteWhenFinished(_window.WhenOutstandingFinished(), flushed);
                        continue;
                    }

                    // A batch that has no room for the event goes now: the server refuses a request
                    // over its byte limit as a whole.
                    await DispatchAsync(_accumulator.TakeIfNoRoomFor(item.Bytes), shutdown);
                    if (_accumulator.Count == 0)
                    {
                        openedAt = Stopwatch.GetTimestamp();
                    }

                    await DispatchAsync(_accumulator.Add(item.Event!, item.Bytes), shutdown);
                }

                waiting ??= reader.WaitToReadAsync(shutdown).AsTask();
                if (_accumulator.Count > 0 && !waiting.IsCompleted)
                {
                    var left = _flushInterval - Stopwatch.GetElapsedTime(openedAt);
                    if (left > TimeSpan.Zero)
                    {
                        await Task.WhenAny(waiting, Task.Delay(left, shutdown));
                    }

                    if (!waiting.IsCompleted)
                    {
                        await DispatchAsync(_accumulator.TakePartial(), shutdown);
                        continue;
                    }
                }

                var more = await waiting;
                waiting = null;
                if (!more)
                {
                    await DispatchAsync(_accumulator.TakePartial(), shutdown);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Disposal gave up waiting; what was not handed over is dropped with the client.
        }
        finally
        {
            _sender.Complete();

            // Flushes still queued behind the dropped events would otherwise wait forever.
            while (reader.TryRead(out var left))
            {
                left.Flushed?.TrySetException(new ObjectDisposedException(nameof(ProductOpsClient)));
            }
        }
    }

    private async ValueTask AddSlowAsync(Item item, CancellationToken cancellationToken)
    {
        try
        {
            await _input.Writer.WriteAsync(item, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(ProductOpsClient));
        }

        _counters.EventEnqueued();
    }

    private async ValueTask DispatchAsync(TrackRequest? request, CancellationToken shutdown)
    {
        if (request is null)
        {
            return;
        }

        var batch = new PendingBatch(request, _sequence++);
        if (_window.Fault is { } fault)
        {
            _counters.BatchFailed();
            batch.TryClaim();
            batch.Fail(fault);
            return;
        }

        await _window.EnterAsync(batch, shutdown);
        _sender.Enqueue(batch);
    }

    private static void CompleteWhenFinished(Task finished, TaskCompletionSource flushed) =>
        finished.ContinueWith(
            static (task, state) =>
            {
                var target = (TaskCompletionSource)state!;
                if (task.Exception is { } failure)
                {
                    target.TrySetException(failure.InnerExceptions);
                }
                else
                {
                    target.TrySetResult();
                }
            },
            flushed,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>An event and its encoded size, or a flush marker that keeps its place in the queue.</summary>
    private readonly record struct Item(Event? Event, int Bytes, TaskCompletionSource? Flushed);
}
