namespace ProductOps.Bench.Tests;

/// <summary>The open loop's latency accounting, against queries that answer at once.</summary>
public sealed class QueryLoadTests
{
    /// <summary>The loop sleeps with Task.Delay, which rounds down to whole milliseconds, so some
    /// queries go out before they are due; counted from their due time they would read below
    /// their true latency, here below zero.</summary>
    [Fact]
    public async Task RunAsync_QueriesAnsweredAtOnce_NoLatencyBelowZero()
    {
        var load = new QueryLoad([new QueryKind("instant", (_, _) => Task.CompletedTask)], queryRate: 400, seed: 1);

        await load.RunAsync(TimeSpan.FromSeconds(1), CancellationToken.None);

        var latencies = load.Of("instant")!;
        Assert.True(latencies.Count >= 300, $"{latencies.Count} queries");
        Assert.True(latencies.Min >= 0, $"shortest latency {latencies.Min} ms");
    }
}
