using System.Text.Json.Nodes;

namespace ProductOps.Bench.Tests;

public sealed class HeldLoadSearchTests
{
    private const double Bound = 25;

    [Theory]
    // Between the step that held and the first that missed, down to the edge.
    [InlineData(30_000, new double[] { 10_000, 50_000, 70_000 }, new double[] { 30_000, 40_000, 35_000, 32_500, 31_250 }, 30_000, 31_250)]
    // No step held: below the lowest.
    [InlineData(3_000, new double[] { 10_000 }, new double[] { 5_000, 2_500, 3_750, 3_125, 2_812.5 }, 2_812.5, 3_125)]
    public async Task Run_FiveProbes_BisectToTheEdge(double holdsUpTo, double[] steps, double[] probes, double held, double missed)
    {
        var node = new FakeNode(holdsUpTo);
        var search = new HeldLoadSearch(Bound, probes: 5);

        await search.RunAsync(steps.Select(node.Step), ceiling: 100_000, node.Probe);

        Assert.Equal(probes, node.Offered);
        Assert.Equal(held, search.HeldEventsPerSec);
        Assert.Equal(missed, search.FailedEventsPerSec);
        Assert.Equal(10, search.HeldAckP99Ms);
    }

    [Fact]
    public async Task Run_NothingHeld_SaysSo()
    {
        var node = new FakeNode(holdsUpTo: 0);
        var search = new HeldLoadSearch(Bound, probes: 2);

        await search.RunAsync([node.Step(10_000)], ceiling: 60_000, node.Probe);

        Assert.Null(search.HeldEventsPerSec);
        Assert.Null(search.HeldAckP99Ms);
        Assert.Equal(2_500, search.FailedEventsPerSec);
        Assert.Null(search.ToJson()["held_events_per_sec"]);
    }

    [Fact]
    public async Task Run_EveryStepHeld_SearchesUpToTheCeiling()
    {
        var node = new FakeNode(holdsUpTo: 95_000);
        var search = new HeldLoadSearch(Bound, probes: 1);

        await search.RunAsync([node.Step(50_000), node.Step(90_000)], ceiling: 100_000, node.Probe);

        Assert.Equal([95_000], node.Offered);
        Assert.Equal(95_000, search.HeldEventsPerSec);
        Assert.Equal(100_000, search.FailedEventsPerSec);
    }

    [Fact]
    public async Task Run_BracketAlreadyNarrow_ProbesNothing()
    {
        var node = new FakeNode(holdsUpTo: 50_000);
        var search = new HeldLoadSearch(Bound, probes: 5);

        await search.RunAsync([node.Step(50_000), node.Step(50_500)], ceiling: 100_000, node.Probe);

        Assert.Empty(node.Offered);
        Assert.Equal(50_000, search.HeldEventsPerSec);
    }

    [Fact]
    public void Holds_RejectionsLagOrAnErrorMissEvenWithALowP99()
    {
        var search = new HeldLoadSearch(Bound, probes: 0);
        var fast = new LatencySummary(100, 1, 2, 10, 12);

        Assert.True(search.Holds(Result(10_000, acked: 100_000, fast)));
        Assert.False(search.Holds(Result(10_000, acked: 100_000, fast) with { Rejected = 1 }), "rejected events");
        Assert.False(search.Holds(Result(10_000, acked: 80_000, fast)), "acked 80% of what was offered");
        Assert.False(search.Holds(Result(10_000, acked: 100_000, fast) with { Error = "Unavailable: gone" }), "an error");
        Assert.False(search.Holds(Result(10_000, acked: 100_000, fast with { P99 = 25.1 })), "p99 past the bound");
        Assert.False(search.Holds(Result(10_000, acked: 100_000, null)), "no acks measured");
    }

    [Fact]
    public async Task ToJson_ListsEveryProbeWithItsVerdict()
    {
        var node = new FakeNode(holdsUpTo: 30_000);
        var search = new HeldLoadSearch(Bound, probes: 2);

        await search.RunAsync([node.Step(10_000), node.Step(50_000)], ceiling: 100_000, node.Probe);

        var probes = search.ToJson()["probes"]!.AsArray();
        Assert.Equal([30_000d, 40_000d], probes.Select(p => p!["offered_events_per_sec"]!.GetValue<double>()));
        Assert.Equal([true, false], probes.Select(p => p!["held"]!.GetValue<bool>()));
        Assert.Equal(25d, search.ToJson()["ack_p99_bound_ms"]!.GetValue<double>());
    }

    [Theory]
    [InlineData(5_000, 30)] // 300 batches of 500 at 5,000/s
    [InlineData(1_000, 30)] // would need 150 s: three steps at most
    [InlineData(60_000, 10)] // 300 batches in 2.5 s: one step at least
    public void ProbeDuration_LongEnoughForItsBatches_BetweenOneAndThreeSteps(double rate, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), HeldLoadSearch.ProbeDuration(rate, batchSize: 500, step: TimeSpan.FromSeconds(10)));

    private static LoadResult Result(double offered, long acked, LatencySummary? ack) =>
        new("open-loop", offered, acked, 0, 10, ack, new JsonObject(), Gc: null, Error: null);

    /// <summary>A node whose ack p99 is 10 ms up to a load and 80 ms past it; records the probes.</summary>
    private sealed class FakeNode(double holdsUpTo)
    {
        public List<double> Offered { get; } = [];

        public LoadResult Step(double rate) =>
            Result(rate, (long)(rate * 10), new LatencySummary(100, 1, 5, rate <= holdsUpTo ? 10 : 80, 90));

        public Task<LoadResult> Probe(double rate)
        {
            Offered.Add(rate);
            return Task.FromResult(Step(rate));
        }
    }
}
