namespace ProductOps.Grains;

/// <summary>
/// A receiver's state write on behalf of every partition that asks for one: all 32 partitions
/// checkpoint on the same clock, so a feature used everywhere is asked to persist 32 times within
/// moments. A caller that asks while a write is running joins it; one that asks when nothing
/// changed since the last stored write needs none. Joining is only correct because the calls that
/// change the state never interleave with the asking ones (see <see cref="Abstractions.IAggregateGrain.Flush"/>):
/// the state does not change while a write runs.
/// </summary>
internal sealed class SharedWrite(Func<Task> write)
{
    private Task? _running;
    private long _changes;
    private long _storedChanges;

    /// <summary>Marks the state changed since the last write.</summary>
    public void Changed() => _changes++;

    public Task RunAsync()
    {
        if (_running is { IsCompleted: false } running)
        {
            return running;
        }

        if (_changes == _storedChanges)
        {
            return Task.CompletedTask;
        }

        return _running = WriteAsync(_changes);
    }

    private async Task WriteAsync(long changes)
    {
        await write();
        _storedChanges = changes;
    }
}
