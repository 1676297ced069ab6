namespace ProductOps.Grains;

/// <summary>
/// A receiver's state write on behalf of every partition that asks for one: all 32 partitions
/// checkpoint on the same clock, so a feature used everywhere is asked to persist 32 times within
/// moments. A caller that asks while a write is running joins it; one that asks when nothing
/// changed since the last stored write needs none.
/// <para>
/// The state holds still while a write runs: every change goes through <see cref="ChangeAsync"/>,
/// which waits for the write to end. Asking calls interleave with every other call (see
/// <see cref="Abstractions.IAggregateGrain.Flush"/>), so without this a change could land while a
/// write is out: a flush would report a watermark the stored state does not hold (a crash then
/// loses that delta for good), and a storage provider that serializes off the grain's turn
/// (ADO.NET does) would read a state being changed under it.
/// </para>
/// </summary>
internal sealed class SharedWrite(Func<Task> write)
{
    private Task? _running;
    private long _changes;
    private long _storedChanges;

    private bool Writing => _running is { IsCompleted: false };

    /// <summary>Marks the state changed since the last write; called from inside a change.</summary>
    public void Changed() => _changes++;

    /// <summary>Runs <paramref name="change"/> at once, or once no write runs; either way in one turn
    /// with no write out.</summary>
    public ValueTask<T> ChangeAsync<TArg, T>(TArg arg, Func<TArg, T> change) =>
        Writing ? ChangeAfterWritesAsync(arg, change) : new ValueTask<T>(change(arg));

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

    private async ValueTask<T> ChangeAfterWritesAsync<TArg, T>(TArg arg, Func<TArg, T> change)
    {
        // Looped: a flush may start the next write between one write's end and this continuation.
        // A failed write is its askers' to report; the change only needs it over.
        while (_running is { IsCompleted: false } running)
        {
            await running.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
        }

        return change(arg);
    }

    private async Task WriteAsync(long changes)
    {
        await write();
        _storedChanges = changes;
    }
}
