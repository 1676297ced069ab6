using ProductOps.Grains;

namespace ProductOps.Cluster.Tests;

public sealed class CallsInTurnTests
{
    [Fact]
    public async Task AFailedCall_IsThrownOnlyOnceEveryCallHasEnded_AndTheOthersAreAnswered()
    {
        var failing = new TaskCompletionSource<int>();
        var late = new TaskCompletionSource<int>();
        var calls = new[] { new ValueTask<int>(1), new ValueTask<int>(failing.Task), new ValueTask<int>(late.Task), new ValueTask<int>(4) };
        var answers = new int[calls.Length];

        var all = CallsInTurn.AwaitEachAsync(calls, calls.Length, (k, answer) => answers[k] = answer);
        failing.SetException(new TimeoutException("user grain unreachable"));
        await Task.Delay(50);
        Assert.False(all.IsCompleted); // the third call is still out

        late.SetResult(3);
        var thrown = await Assert.ThrowsAsync<TimeoutException>(() => all);

        Assert.Equal("user grain unreachable", thrown.Message);
        Assert.Equal([1, 0, 3, 4], answers);
    }

    [Fact]
    public async Task OnlyTheFirstCountCalls_AreAwaited()
    {
        var never = new TaskCompletionSource<int>();
        var calls = new[] { new ValueTask<int>(7), new ValueTask<int>(never.Task) };
        var answers = new List<int>();

        await CallsInTurn.AwaitEachAsync(calls, 1, (_, answer) => answers.Add(answer));

        Assert.Equal([7], answers);
    }
}
