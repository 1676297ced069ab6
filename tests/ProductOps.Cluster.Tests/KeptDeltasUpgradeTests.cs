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
        var state = new UserState
        {
            StoredRuns = [new AppliedDeltas([3, 5], [3, 4], [OwnCount, Fact, OwnSum, OwnCount]), new AppliedDeltas([8], [2], [OtherFact, OwnSum])],
        };

        state.UpgradeKeptDeltas();

        Assert.Equal(1, state.KeptDeltasFormat);
        var kept = Assert.Single(state.StoredRuns);
        Assert.Equal([3L, 5L, 8L], kept.Seqs);
        Assert.Equal([Fact], kept.Of(0).ToArray());
        Assert.Empty(kept.Of(1).ToArray());
        Assert.Equal([OtherFact], kept.Of(2).ToArray());
    }

    [Fact]
    public void DeltasKeptBySeq_BecomeKeptInOrder_LessTheEventsOwnCounts()
    {
        var state = new UserState { RecentDeltas = new() { [8] = [OtherFact, OwnSum], [3] = [OwnCount, Fact] } };

        state.UpgradeKeptDeltas();

        Assert.Null(state.RecentDeltas);
        var kept = Assert.Single(state.StoredRuns);
        Assert.Equal([3L, 8L], kept.Seqs);
        Assert.Equal([Fact], kept.Of(0).ToArray());
        Assert.Equal([OtherFact], kept.Of(1).ToArray());
    }

    [Fact]
    public void CurrentRuns_AreLeftAlone()
    {
        var state = new UserState { KeptDeltasFormat = 1, StoredRuns = [new AppliedDeltas([3], [1], [OwnCount])] };

        state.UpgradeKeptDeltas();

        Assert.True(state.Kept.TryFind(3, out var deltas));
        Assert.Equal([OwnCount], deltas.ToArray());
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
