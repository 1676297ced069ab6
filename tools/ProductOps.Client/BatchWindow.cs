using ProductOps.Contracts.V1;

namespace ProductOps.Client;

/// <summary>The unacknowledged batches: at most MaxInFlightBatches of them, which is the client's
/// backpressure. Also holds the fault that stops a client after a batch fails for good.</summary>
internal sealed class BatchWindow(int maxInFlight, ClientCounters counters, Action<PendingBatch, TrackResponse> acknowledged)
    : IDisposable
{
    private readonly SemaphoreSlim _slots = new(maxInFlight, maxInFlight);
    private readonly HashSet<PendingBatch> _outstanding = [];
    private readonly Lock _gate = new();
    private Exception? _fault;

    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>The first fault wins; later ones are consequences of it.</summary>
    public void SetFault(Exception fault) => Interlocked.CompareExchange(ref _fault, fault, null);

    /// <summary>Waits for a free slot, then holds the batch in it until it is finished.</summary>
    public async Task EnterAsync(PendingBatch batch, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        lock (_gate)
        {
            _outstanding.Add(batch);
        }

        counters.BatchSent(batch.Request.Events.Count);
    }

    public void Acknowledge(PendingBatch batch, TrackResponse response)
    {
        if (!batch.TryClaim())
        {
            return;
        }

        counters.BatchAcknowledged(batch.Request.Events.Count, response);

        // Handlers run before the batch completes, so after FlushAsync every handler has run.
        acknowledged(batch, response);
        Leave(batch);
        batch.Succeed(response);
    }

    public void Fail(PendingBatch batch, Exception failure)
    {
        if (!batch.TryClaim())
        {
            return;
        }

        counters.BatchFailed();
        Leave(batch);
        batch.Fail(failure);
    }

    public void FailAll(Exception failure)
    {
        PendingBatch[] batches;
        lock (_gate)
        {
            batches = [.. _outstanding];
        }

        foreach (var batch in batches)
        {
            Fail(batch, failure);
        }
    }

    /// <summary>Completes when every batch outstanding now is finished; faults with the first failure.</summary>
    public Task WhenOutstandingFinished()
    {
        Task[] pending;
        lock (_gate)
        {
            pending = new Task[_outstanding.Count];
            var i = 0;
            foreach (var batch in _outstanding)
            {
                pending[i++] = batch.Completion;
            }
        }

        return Task.WhenAll(pending);
    }

    public void Dispose() => _slots.Dispose();

    private void Leave(PendingBatch batch)
    {
        bool held;
        lock (_gate)
        {
            held = _outstanding.Remove(batch);
        }

        if (held)
        {
            _slots.Release();
        }
    }
}
