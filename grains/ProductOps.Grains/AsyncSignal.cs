namespace ProductOps.Grains;

/// <summary>Wakes one waiting loop; a signal set while nobody waits is kept for the next wait.</summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set() => _next.TrySetResult();

    public async Task WaitAsync()
    {
        await _next.Task;
        _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
