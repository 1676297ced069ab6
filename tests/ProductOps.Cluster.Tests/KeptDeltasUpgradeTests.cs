using ProductOps.Domain;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Cluster.Tests;

/// <summary>Snapshots written while users kept the events' own counts with their facts: those
/// counts leave the kept runs on activation, once, since the partition adds them itself now.</summary>
public sealed class KeptDeltasUpgradeTests
{
    private static readonly CounterDelta OwnCount = new("search", Metric.FeatureHourEvents, 489_600, 1);
    private static readonly CounterDelta OwnSum = new(string.Empty, Metric.TenantDayEvents, 20_400, 1);
    private static readonly CounterDelta Fact = new("search", Metric.FeatureHourUsers, 489_600, 1);
    private static readonly CounterDelta OtherFact = new(string.Empty, Metric.TenantDayUsers, 20_400, 1);

    [Fact]
    public void OlderRuns_LoseTheEventsOwnCounts_KeepTheFactsAndSeqs()
    {
        var state = new UserState { RecentRuns = { new AppliedDeltas([3, 5], [3, 4], [OwnCount, Fact, OwnSum, OwnCount]) } };
        state.RecentRuns.Add(new AppliedDeltas([8], [2], [OtherFact, OwnSum]));

        state.UpgradeKeptDeltas();

        Assert.Equal(1, state.KeptDeltasFormat);
        Assert.Equal([3L, 5L], state.RecentRuns[0].Seqs);
        Assert.Equal([Fact], state.RecentRuns[0].Of(0).ToArray());
        Assert.Empty(state.RecentRuns[0].Of(1).ToArray());
        Assert.Equal([OtherFact], state.RecentRuns[1].Of(0).ToArray());
    }

    [Fact]
    public void CurrentRuns_AreLeftAlone()
    {
        var run = new AppliedDeltas([3], [1], [Fact]);
        var state = new UserState { KeptDeltasFormat = 1, RecentRuns = { run } };

        state.UpgradeKeptDeltas();

        Assert.Same(run, Assert.Single(state.RecentRuns));
    }

    [Fact]
    public void OwnMetrics_AreExactlyTheOnesAnEventCountsByItself()
    {
        var deltas = new List<CounterDelta>();
        EventCounters.AddTo(new TrackedEvent("t", "u", "e1", EventNames.Feedback, "search", 1_000, 4, string.Empty, null), deltas);

        Assert.Equal(
            Enum.GetValues<Metric>().Where(EventCounters.IsOwn).Order(),
            deltas.Select(delta => delta.Metric).Order());
    }
}
