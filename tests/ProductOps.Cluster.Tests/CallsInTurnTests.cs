using System.Threading.Tasks.Sources;
using ProductOps.Grains;

namespace ProductOps.Cluster.Tests;

/// <summary>The partition's fan-out: every call is awaited once and every failure waits for the
/// calls still out. Each test runs on the thread pool, with no synchronization context, so a
/// continuation runs inline as a call completes and "not completed yet" is exact, not timing.</summary>
public sealed class CallsInTurnTests
{
    [Fact]
    public Task AFailedCall_IsThrownOnlyOnceEveryCallHasEnded_AndTheOthersAreAnswered() => Task.Run(async () =>
    {
        var failing = new TaskCompletionSource<int>();
        var late = new TaskCompletionSource<int>();
        var calls = new[] { new ValueTask<int>(1), new ValueTask<int>(failing.Task), new ValueTask<int>(late.Task), new ValueTask<int>(4) };
        var answers = new int[calls.Length];

        var all = CallsInTurn.SendAndAwaitAsync(calls.Length, k => calls[k], (k, answer) => answers[k] = answer);
        failing.SetException(new TimeoutException("user grain unreachable"));
        Assert.False(all.IsCompleted); // the third call is still out

        late.SetResult(3);
        var thrown = await Assert.ThrowsAsync<TimeoutException>(() => all);

        Assert.Equal("user grain unreachable", thrown.Message);
        Assert.Equal([1, 0, 3, 4], answers);
    });

    [Fact]
    public Task ASendThatThrows_WaitsForTheCallsAlreadySent() => Task.Run(async () =>
    {
        var sent = new TaskCompletionSource<int>();
        var answers = new List<int>();

        var all = CallsInTurn.SendAndAwaitAsync(
            3,
            k => k == 1 ? throw new InvalidOperationException("not sent") : k == 0 ? new ValueTask<int>(sent.Task) : new ValueTask<int>(k),
            (_, answer) => answers.Add(answer));
        Assert.False(all.IsCompleted);

        sent.SetResult(10);
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => all);

        Assert.Equal("not sent", thrown.Message);
        Assert.Equal([10, 2], answers);
    });

    [Fact]
    public Task AFault_IsThrownRatherThanAnEarlierCancellation() => Task.Run(async () =>
    {
        Exception[] failures =
        [
            new OperationCanceledException("silo going away"),
            new InvalidOperationException("missing deltas"),
            new TaskCanceledException("another"),
        ];

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(
            () => CallsInTurn.SendAndAwaitAsync(failures.Length, k => ValueTask.FromException<int>(failures[k]), (_, _) => { }));

        Assert.Equal("missing deltas", thrown.Message);
    });

    [Fact]
    public Task EveryCall_IsReadExactlyOnce_AsAPooledSourceRequires() => Task.Run(async () =>
    {
        var sources = Enumerable.Range(0, 5).Select(_ => new ReadOnceSource()).ToArray();
        var answers = new int[sources.Length];

        var all = CallsInTurn.SendAndAwaitAsync(sources.Length, k => new ValueTask<int>(sources[k], 0), (k, answer) => answers[k] = answer);
        int[] completionOrder = [3, 0, 4, 1, 2];
        foreach (var k in completionOrder)
        {
            sources[k].Complete(k * 10);
        }

        await all;

        Assert.Equal([0, 10, 20, 30, 40], answers);
        Assert.All(sources, source => Assert.Equal(1, source.Reads));
    });

    /// <summary>Like Orleans' pooled response source: reading it a second time is an error.</summary>
    private sealed class ReadOnceSource : IValueTaskSource<int>
    {
        private ManualResetValueTaskSourceCore<int> _core;

        public int Reads { get; private set; }

        public void Complete(int value) => _core.SetResult(value);

        public int GetResult(short token)
        {
            if (++Reads > 1)
            {
                throw new InvalidOperationException("read twice");
            }

            return _core.GetResult(token);
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
