using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Client;

/// <summary>One TrackStream call: writes batches, matches responses to them by batch_id, and
/// notices when the stream breaks.</summary>
internal sealed class TrackStreamSession : IDisposable
{
    // After a failed write the call is over; its status reaches the reader almost at once.
    private static readonly TimeSpan StatusGrace = TimeSpan.FromSeconds(2);

    private readonly AsyncDuplexStreamingCall<TrackRequest, TrackResponse> _call;
    private readonly Action<PendingBatch, TrackResponse> _acknowledged;
    private readonly Dictionary<string, PendingBatch> _inFlight = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _broken;
    private readonly Task _reader;
    private Exception? _readFailure;
    private Exception? _writeFailure;

    public TrackStreamSession(
        AsyncDuplexStreamingCall<TrackRequest, TrackResponse> call,
        Action<PendingBatch, TrackResponse> acknowledged,
        CancellationToken shutdown)
    {
        _call = call;
        _acknowledged = acknowledged;
        _broken = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        _reader = Task.Run(ReadAsync, CancellationToken.None);
    }

    /// <summary>Cancelled when the stream can take no more batches, or on shutdown.</summary>
    public CancellationToken Broken => _broken.Token;

    /// <summary>Batches acknowledged on this stream.</summary>
    public int Acknowledged { get; private set; }

    /// <summary>Puts the batch on the stream. A batch given to a broken stream is still held, so
    /// <see cref="TakeUnacknowledged"/> returns it for a resend.</summary>
    public async Task SendAsync(PendingBatch batch)
    {
        lock (_gate)
        {
            _inFlight[batch.BatchId] = batch;
        }

        batch.Attempts++;
        if (_broken.IsCancellationRequested)
        {
            return;
        }

        // Each attempt carries its own send time: the server corrects clock skew with it.
        batch.Request.SentAt = Timestamp.FromDateTime(DateTime.UtcNow);
        try
        {
            // No token: cancelling a write cancels the whole call, hiding the status that broke it. A
            // write on a call that has ended fails by itself.
            await _call.RequestStream.WriteAsync(batch.Request);
        }
        catch (Exception failure) when (failure is RpcException or IOException or HttpRequestException
            or InvalidOperationException or OperationCanceledException)
        {
            _writeFailure ??= failure;
            await _broken.CancelAsync();
        }
    }

    /// <summary>Ends the session and returns why it failed, or null for a clean end. Graceful: tell the
    /// server we are done and wait for every acknowledgement.</summary>
    public async Task<Exception?> FinishAsync(bool graceful)
    {
        if (graceful && !_broken.IsCancellationRequested)
        {
            try
            {
                await _call.RequestStream.CompleteAsync();
            }
            catch (Exception completeFailure) when (completeFailure is RpcException or IOException
                or InvalidOperationException)
            {
                _writeFailure ??= completeFailure;
            }
        }
        else
        {
            await Task.WhenAny(_reader, Task.Delay(StatusGrace, CancellationToken.None));
            if (!_reader.IsCompleted)
            {
                _call.Dispose();
            }
        }

        await _reader;
        int unacknowledged;
        lock (_gate)
        {
            unacknowledged = _inFlight.Count;
        }

        var failure = Telling(_readFailure) ?? Telling(_writeFailure) ?? _readFailure ?? _writeFailure;
        if (failure is not null)
        {
            return failure;
        }

        return unacknowledged == 0
            ? null
            : new RpcException(new Status(StatusCode.Unavailable,
                $"The stream ended with {unacknowledged} batch(es) unacknowledged."));
    }

    /// <summary>The batches the stream never answered, in their original order.</summary>
    public List<PendingBatch> TakeUnacknowledged()
    {
        List<PendingBatch> left;
        lock (_gate)
        {
            left = [.. _inFlight.Values];
            _inFlight.Clear();
        }

        left.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        return left;
    }

    public void Dispose()
    {
        _call.Dispose();
        _broken.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(CancellationToken.None))
            {
                var response = _call.ResponseStream.Current;
                PendingBatch? batch;
                lock (_gate)
                {
                    _inFlight.Remove(response.BatchId, out batch);
                }

                if (batch is not null)
                {
                    Acknowledged++;
                    _acknowledged(batch, response);
                }
            }
        }
        catch (Exception failure) when (failure is RpcException or IOException or HttpRequestException
            or OperationCanceledException or InvalidOperationException)
        {
            _readFailure = failure;
        }
        finally
        {
            // However the stream ended, it takes no more batches; the next ones go on a new stream.
            await _broken.CancelAsync();
        }
    }

    /// <summary>A failure that says what went wrong, rather than a cancellation that followed it.</summary>
    private static Exception? Telling(Exception? failure) =>
        failure is null or OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled }
            ? null
            : failure;
}
