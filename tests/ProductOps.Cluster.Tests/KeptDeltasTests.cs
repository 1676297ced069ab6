using ProductOps.Domain;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Cluster.Tests;

/// <summary>The deltas a user keeps for a re-dispatch, filled in place across apply calls.</summary>
public sealed class KeptDeltasTests
{
    private static readonly CounterDelta NewUser = new(string.Empty, Metric.TenantTotalUsers, 0, 1);
    private static readonly CounterDelta NewDay = new(string.Empty, Metric.TenantDayUsers, 20_400, 1);
    private static readonly CounterDelta NewHour = new("search", Metric.FeatureHourUsers, 489_600, 1);
    private static readonly CounterDelta NextHour = new("search", Metric.FeatureHourUsers, 489_601, 1);

    [Fact]
    public void AddNew_RunStartingWithResentEvents_KeepsTheirFirstDeltasOnce()
    {
        var kept = new KeptDeltas();
        kept.AddNew(new AppliedDeltas([3, 5], [1, 2], [NewUser, NewDay]));

        // A rewind re-sends 5, then brings 8. The run's copy of 5 differs here only so that a kept
        // copy overwritten by it would show; the grain always returns the kept one.
        kept.AddNew(new AppliedDeltas([5, 8], [1, 2], [NextHour, NewHour]));

        Assert.Equal(3, kept.Count);
        Assert.Equal([3L, 5L, 8L], kept.ToRun().Seqs);
        Assert.True(kept.TryFind(5, out var resent));
        Assert.Equal([NewDay], resent.ToArray());
        Assert.True(kept.TryFind(8, out var latest));
        Assert.Equal([NewHour], latest.ToArray());
    }

    [Fact]
    public void DropThrough_KeepsWhatIsAboveTheCheckpoint_AndTakesMoreAfter()
    {
        var kept = new KeptDeltas();
        kept.AddNew(new AppliedDeltas([3, 5, 8], [2, 3, 3], [NewUser, NewDay, NewHour]));
        kept.AddNew(new AppliedDeltas([9], [1], [NextHour]));

        kept.DropThrough(3);
        kept.AddNew(new AppliedDeltas([12], [2], [NewDay, NextHour]));

        Assert.False(kept.TryFind(3, out _));
        Assert.True(kept.TryFind(5, out var five));
        Assert.Equal([NewHour], five.ToArray());
        Assert.True(kept.TryFind(8, out var eight));
        Assert.Empty(eight.ToArray());
        Assert.True(kept.TryFind(9, out var nine));
        Assert.Equal([NextHour], nine.ToArray());
        Assert.True(kept.TryFind(12, out var twelve));
        Assert.Equal([NewDay, NextHour], twelve.ToArray());
        Assert.False(kept.TryFind(10, out _));
    }

    [Fact]
    public void DropThrough_EverythingThenTrim_KeepsNothingAndStillTakesMore()
    {
        var kept = new KeptDeltas();
        kept.AddNew(new AppliedDeltas([3, 5], [2, 3], [NewUser, NewDay, NewHour]));

        kept.DropThrough(5);
        kept.TrimWhenEmpty();
        kept.AddNew(new AppliedDeltas([4, 6], [1, 2], [NewHour, NextHour])); // 4 is not above the last kept, which is gone

        Assert.Equal(2, kept.Count);
        Assert.True(kept.TryFind(6, out var six));
        Assert.Equal([NextHour], six.ToArray());
    }

    [Fact]
    public void StoredRuns_ReadBack_KeepTheSameDeltas()
    {
        var state = new UserState { KeptDeltasFormat = 1 };
        state.Kept.AddNew(new AppliedDeltas([3, 5], [2, 2], [NewUser, NewDay]));
        state.Kept.AddNew(new AppliedDeltas([8], [1], [NewHour]));

        var read = new UserState { KeptDeltasFormat = 1, StoredRuns = state.StoredRuns };

        var run = Assert.Single(read.StoredRuns);
        Assert.Equal([3L, 5L, 8L], run.Seqs);
        Assert.Equal([NewUser, NewDay], run.Of(0).ToArray());
        Assert.Empty(run.Of(1).ToArray());
        Assert.Equal([NewHour], run.Of(2).ToArray());
    }
}
