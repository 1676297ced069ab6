using ProductOps.Contracts.V1;

namespace ProductOps.Client;

/// <summary>A batch between its hand-over to the stream and its acknowledgement or failure.</summary>
internal sealed class PendingBatch(TrackRequest request, long sequence)
{
    private readonly TaskCompletionSource<TrackResponse> _completion =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _finished;

    public TrackRequest Request { get; } = request;

    public string BatchId => Request.BatchId;

    /// <summary>Hand-over order; resends keep it.</summary>
    public long Sequence { get; } = sequence;

    /// <summary>Streams the batch was put on.</summary>
    public int Attempts { get; set; }

    public Task<TrackResponse> Completion => _completion.Task;

    /// <summary>True for the one caller that gets to finish the batch (ack and failure can race).</summary>
    public bool TryClaim() => Interlocked.Exchange(ref _finished, 1) == 0;

    public void Succeed(TrackResponse response) => _completion.TrySetResult(response);

    public void Fail(Exception failure)
    {
        _completion.TrySetException(failure);

        // Observed here so a failure nobody flushed for does not surface as an unobserved task exception.
        _ = _completion.Task.Exception;
    }
}
