using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

/// <summary>One test per lifecycle stage, each checked on the live state machine and the oracle.</summary>
public sealed class LifecycleTests
{
    private static readonly TenantRules Rules = new(TenantClock.Event, 14, ["subscription_cancelled"]);

    [Fact]
    public void LifecycleAt_OnlyIdentify_Unknown() =>
        AssertStage(Lifecycle.Unknown, Events.At(3), Events.Identify("u", Events.At(0), ("plan", "pro")));

    [Fact]
    public void LifecycleAt_FirstSeenWithinSevenDays_New() =>
        AssertStage(Lifecycle.New, Events.At(6, hour: 23), Usage(0), Usage(2), Usage(6));

    [Fact]
    public void LifecycleAt_FirstSeenEightDaysAgoWithoutGap_Active() =>
        AssertStage(Lifecycle.Active, Events.At(7), Usage(0), Usage(4), Usage(7));

    [Fact]
    public void LifecycleAt_RecentUseAfterGapOfMoreThanSevenDays_Returning() =>
        AssertStage(Lifecycle.Returning, Events.At(12), Usage(0), Usage(1), Usage(10), Usage(12));

    [Fact]
    public void LifecycleAt_RecentUseAfterGapOfExactlySevenDays_Active() =>
        AssertStage(Lifecycle.Active, Events.At(12), Usage(0), Usage(2), Usage(9), Usage(12));

    [Fact]
    public void LifecycleAt_IdleEightDays_Dormant() =>
        AssertStage(Lifecycle.Dormant, Events.At(8), Usage(0));

    [Fact]
    public void LifecycleAt_IdleSevenDays_Dormant() =>
        // Day 0 is not among the last seven days (days 1-7): the user is not in day 7's WAU, so not active.
        AssertStage(Lifecycle.Dormant, Events.At(7), Usage(0));

    [Fact]
    public void LifecycleAt_IdleSixDays_Active() =>
        AssertStage(Lifecycle.Active, Events.At(13), Usage(0), Usage(7));

    [Fact]
    public void LifecycleAt_BackTheDayAfterBecomingDormant_Returning() =>
        // Dormant on day 7 (idle seven days), back on day 8: returning, never active meanwhile.
        AssertStage(Lifecycle.Returning, Events.At(8), Usage(0), Usage(8));

    [Fact]
    public void LifecycleAt_IdleBeyondChurnHorizon_Churned() =>
        AssertStage(Lifecycle.Churned, Events.At(15), Usage(0));

    [Fact]
    public void LifecycleAt_IdleExactlyChurnHorizon_Dormant() =>
        AssertStage(Lifecycle.Dormant, Events.At(14), Usage(0));

    [Fact]
    public void LifecycleAt_ChurnEventAfterLastUse_Churned() =>
        AssertStage(Lifecycle.Churned, Events.At(5), Usage(0), Usage(4), Churn(Events.At(5)));

    [Fact]
    public void LifecycleAt_ChurnEventTiedWithLastUse_Churned() =>
        AssertStage(Lifecycle.Churned, Events.At(5), Usage(0), Churn(Events.At(4)), Events.Usage("u", Events.At(4)));

    [Fact]
    public void LifecycleAt_OnlyChurnEvent_Churned() =>
        AssertStage(Lifecycle.Churned, Events.At(0), Churn(Events.At(0)));

    [Fact]
    public void LifecycleAt_ReEngagedAfterChurnEvent_NotChurned() =>
        AssertStage(
            Lifecycle.Active,
            Events.At(12),
            Usage(0), Usage(3), Usage(6), Usage(9), Churn(Events.At(10)), Usage(12));

    [Fact]
    public void LifecycleAt_ReEngagementLoggedBeforeOlderChurnEvent_NotChurned() =>
        AssertStage(Lifecycle.Active, Events.At(12), Usage(0), Usage(6), Usage(12), Churn(Events.At(10)));

    [Fact]
    public void LifecycleAt_AsOfBeforeLaterUseWithNothingInLastSevenDays_Active() =>
        // Day 20 lies after asOf's day, so it is not among the last seven days and cannot make the user returning.
        AssertStage(Lifecycle.Active, Events.At(10), Usage(0), Usage(20));

    private static TrackedEvent Usage(int day) => Events.Usage("u", Events.At(day), feature: "search");

    private static TrackedEvent Churn(long timestampMs) => Events.Usage("u", timestampMs, name: "subscription_cancelled");

    private static void AssertStage(Lifecycle expected, long asOfMs, params TrackedEvent[] log)
    {
        var live = LiveReplay.Run(log, Rules).Users["u"];
        var oracle = ReplayOracle.Replay(log, Rules).User("u", asOfMs);

        Assert.Equal(expected, live.LifecycleAt(asOfMs, Rules));
        Assert.Equal(expected, live.Snapshot("u", asOfMs, Rules).Lifecycle);
        Assert.Equal(expected, oracle.Lifecycle);
    }
}
