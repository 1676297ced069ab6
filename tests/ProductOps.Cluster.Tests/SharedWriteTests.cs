using ProductOps.Grains;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>The receivers' shared state write: callers that ask while a write runs share it, and
/// nothing is written twice for the same state.</summary>
public sealed class SharedWriteTests
{
    /// <summary>A wait that outlasts any real one: a mistake here fails the test instead of hanging it.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AskedWhileAWriteRuns_JoinsIt()
    {
        var store = new GatedStore();
        var write = new SharedWrite(store.WriteAsync);
        write.Changed();

        var first = write.RunAsync();
        var joined = Enumerable.Range(0, 31).Select(_ => write.RunAsync()).ToList();
        Assert.False(first.IsCompleted);
        store.Release();
        await first;
        await Task.WhenAll(joined);

        Assert.Equal(1, store.Writes);
    }

    [Fact]
    public async Task NothingChangedSinceTheLastWrite_WritesNothing()
    {
        var store = new GatedStore { Open = true };
        var write = new SharedWrite(store.WriteAsync);
        await write.RunAsync(); // never changed: nothing to store
        write.Changed();
        await write.RunAsync();
        await write.RunAsync();

        Assert.Equal(1, store.Writes);
    }

    [Fact]
    public async Task ChangedAfterAWrite_WritesAgain()
    {
        var store = new GatedStore { Open = true };
        var write = new SharedWrite(store.WriteAsync);
        write.Changed();
        await write.RunAsync();
        write.Changed();
        await write.RunAsync();

        Assert.Equal(2, store.Writes);
    }

    [Fact]
    public async Task FailedWrite_FailsEveryoneWhoJoined_AndTheNextAskWritesAgain()
    {
        var store = new GatedStore();
        var write = new SharedWrite(store.WriteAsync);
        write.Changed();
        var first = write.RunAsync();
        var joined = write.RunAsync();
        store.Fail(new TimeoutException("store unreachable"));

        await Assert.ThrowsAsync<TimeoutException>(() => first);
        await Assert.ThrowsAsync<TimeoutException>(() => joined);

        store.Open = true;
        await write.RunAsync();
        Assert.Equal(2, store.Writes);
    }

    [Fact]
    public Task ChangeAskedWhileAWriteRuns_WaitsForItsEnd_AndForAWriteStartedMeanwhile() =>
        // Off the test framework's synchronization context, so the first write's continuations run
        // inline in the order they were registered, the way turns queue on a grain; on that context
        // the change's continuation would be posted ahead of the asker's and race it.
        Task.Run(async () =>
        {
            var store = new GatedStore();
            var write = new SharedWrite(store.WriteAsync);
            var state = 0;
            write.Changed();
            var first = write.RunAsync();

            // As a flush turn queued ahead of the change's continuation does: the moment the first
            // write ends, another asker starts the next write (with something new to store).
            var second = first.ContinueWith(
                _ => { write.Changed(); return write.RunAsync(); }, TaskContinuationOptions.ExecuteSynchronously).Unwrap();
            var change = write.ChangeAsync(1, n => state += n).AsTask();
            Assert.False(change.IsCompleted);

            store.Release();
            await first.WaitAsync(Patience);
            // The second write starts in the first's continuation, which may still be running on
            // the releasing thread when this one resumes.
            await Polling.Until(() => store.Writes == 2, Patience, () => $"{store.Writes} writes: the second never went out");
            Assert.Equal(0, state);
            store.Release();
            await second.WaitAsync(Patience);
            Assert.Equal(1, await change.WaitAsync(Patience));
        });

    [Fact]
    public async Task ChangeAfterAFailedWrite_StillRuns()
    {
        var store = new GatedStore();
        var write = new SharedWrite(store.WriteAsync);
        write.Changed();
        var failing = write.RunAsync();
        var change = write.ChangeAsync(5, n => n);
        store.Fail(new TimeoutException("store unreachable"));

        await Assert.ThrowsAsync<TimeoutException>(() => failing);
        Assert.Equal(5, await change);
    }

    /// <summary>A store whose writes wait until released (or complete at once when open).</summary>
    private sealed class GatedStore
    {
        private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Open { get; set; }

        public int Writes { get; private set; }

        public Task WriteAsync()
        {
            Writes++;
            return Open ? Task.CompletedTask : _gate.Task;
        }

        public void Release() => Swap().SetResult();

        public void Fail(Exception e) => Swap().SetException(e);

        private TaskCompletionSource Swap()
        {
            var gate = _gate;
            _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return gate;
        }
    }
}
