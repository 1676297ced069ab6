using System.Threading.Channels;
using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Client;

/// <summary>Keeps one TrackStream open and puts every handed-over batch on it. When the stream
/// breaks, the unacknowledged batches go out again, unchanged, on a new stream after a backoff.</summary>
internal sealed class TrackStreamSender(
    Func<CancellationToken, AsyncDuplexStreamingCall<TrackRequest, TrackResponse>> openStream,
    BatchWindow window,
    RetryPolicy retry,
    ClientCounters counters)
{
    private readonly Channel<PendingBatch> _queue =
        Channel.CreateUnbounded<PendingBatch>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>The window bounds how many batches can wait here.</summary>
    public void Enqueue(PendingBatch batch)
    {
        if (!_queue.Writer.TryWrite(batch))
        {
            window.Fail(batch, new ObjectDisposedException(nameof(ProductOpsClient)));
        }
    }

    /// <summary>No more batches: send what is queued, wait for acknowledgements, close the stream.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    public async Task RunAsync(CancellationToken shutdown)
    {
        var resend = new List<PendingBatch>();
        var consecutiveFailures = 0;
        try
        {
            while (window.Fault is null)
            {
                if (resend.Count == 0 && !await _queue.Reader.WaitToReadAsync(shutdown))
                {
                    return;
                }

                using var session = new TrackStreamSession(openStream(shutdown), window.Acknowledge, shutdown);
                counters.StreamOpened();
                var graceful = await FeedAsync(session, resend);
                resend.Clear();
                var failure = await session.FinishAsync(graceful);
                var unacknowledged = session.TakeUnacknowledged();
                if (shutdown.IsCancellationRequested)
                {
                    resend.AddRange(unacknowledged);
                    shutdown.ThrowIfCancellationRequested();
                }
                if (session.Acknowledged > 0)
                {
                    consecutiveFailures = 0;
                }

                if (failure is null || unacknowledged.Count == 0)
                {
                    // A clean end, or a break with nothing pending: reopen when there is work.
                    resend.AddRange(unacknowledged);
                    continue;
                }

                consecutiveFailures++;
                var attempts = MaxAttempts(unacknowledged);
                // A cancellation we did not ask for is the transport giving up: worth a retry.
                var retryable = RetryPolicy.IsRetryable(failure) || failure is OperationCanceledException;
                if (!retryable || attempts > retry.MaxRetries)
                {
                    var fault = ProductOpsIngestException.From(failure, unacknowledged[0].BatchId, attempts);
                    window.SetFault(fault);
                    FailEach(unacknowledged, fault);
                    break;
                }

                counters.Retried(unacknowledged.Count);
                resend.AddRange(unacknowledged);
                await Task.Delay(retry.DelayBefore(consecutiveFailures), shutdown);
            }

            // Faulted: whatever is still handed over fails with the fault, until the client is disposed.
            var clientFault = window.Fault!;
            FailEach(resend, clientFault);
            await foreach (var batch in _queue.Reader.ReadAllAsync(shutdown))
            {
                window.Fail(batch, clientFault);
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            var disposed = new ObjectDisposedException(nameof(ProductOpsClient), "The client was disposed before the batch was acknowledged.");
            FailEach(resend, disposed);
            while (_queue.Reader.TryRead(out var batch))
            {
                window.Fail(batch, disposed);
            }
        }
    }

    /// <summary>Resends first, then new batches, until the stream breaks (false) or the queue is
    /// completed and drained (true).</summary>
    private async Task<bool> FeedAsync(TrackStreamSession session, List<PendingBatch> resend)
    {
        foreach (var batch in resend)
        {
            await session.SendAsync(batch);
        }

        while (true)
        {
            // Take a batch before looking at the stream: a stream that fails at once then holds it,
            // so the failure counts against it and the next stream waits out a backoff.
            if (_queue.Reader.TryRead(out var batch))
            {
                await session.SendAsync(batch);
                if (session.Broken.IsCancellationRequested)
                {
                    return false;
                }

                continue;
            }

            if (session.Broken.IsCancellationRequested)
            {
                return false;
            }

            try
            {
                if (!await _queue.Reader.WaitToReadAsync(session.Broken))
                {
                    return true;
                }
            }
            catch (OperationCanceledException) when (session.Broken.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    private void FailEach(List<PendingBatch> batches, Exception failure)
    {
        foreach (var batch in batches)
        {
            window.Fail(batch, failure);
        }

        batches.Clear();
    }

    private static int MaxAttempts(List<PendingBatch> batches)
    {
        var max = 0;
        foreach (var batch in batches)
        {
            max = Math.Max(max, batch.Attempts);
        }

        return max;
    }
}
