using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

/// <summary>The oracle against figures worked out by hand, so that it is checked on its own and
/// not only against the live state machine.</summary>
public sealed class ReplayOracleTests
{
    private const int Day = Events.Day0;

    [Fact]
    public void Replay_LateEarlierEvent_MovesNewUserAndAdopterBuckets()
    {
        var log = new[]
        {
            Events.Usage("a", Events.At(3, hour: 9), feature: "search", value: 2),
            Events.Usage("a", Events.At(1, hour: 5), feature: "search", value: 3), // arrives late
            Events.Usage("b", Events.At(3, hour: 9), feature: "search", value: 0),
        };

        var result = ReplayOracle.Replay(log, TenantRules.Default);

        var tenant = result.Tenant;
        Assert.Equal(1, tenant.Get(Metric.TenantDayNewUsers, Day + 1));
        Assert.Equal(1, tenant.Get(Metric.TenantDayNewUsers, Day + 3));
        Assert.Equal(2, tenant.Total(Metric.TenantTotalUsers));
        Assert.Equal(3, tenant.Total(Metric.TenantTotalEvents));
        Assert.Equal(2, tenant.Get(Metric.TenantDayEvents, Day + 3));
        Assert.Equal(2, tenant.Get(Metric.TenantDayUsers, Day + 3));

        var search = result.Features["search"];
        var hour9 = ((Day + 3) * 24) + 9;
        var hour5 = ((Day + 1) * 24) + 5;
        Assert.Equal(1, search.Get(Metric.FeatureHourNewAdopters, hour5));
        Assert.Equal(1, search.Get(Metric.FeatureHourNewAdopters, hour9));
        Assert.Equal(2, search.Get(Metric.FeatureHourUsers, hour9));
        Assert.Equal(2, search.Get(Metric.FeatureHourEvents, hour9));
        Assert.Equal(2, search.Get(Metric.FeatureHourValueSum, hour9));
        Assert.Equal(2, search.Total(Metric.FeatureTotalAdopters));
        Assert.Equal(3, search.Total(Metric.FeatureTotalEvents));
    }

    [Fact]
    public void Replay_WindowedUsers_ExtendPastLastEventForWholeWindow()
    {
        var log = new[]
        {
            Events.Usage("a", Events.At(0), feature: "export"),
            Events.Usage("b", Events.At(2), feature: "export"),
        };

        var result = ReplayOracle.Replay(log, TenantRules.Default);

        foreach (var (counters, day1, day7, day30) in new[]
        {
            (result.Tenant, Metric.TenantDayUsers, Metric.TenantDayUsers7, Metric.TenantDayUsers30),
            (result.Features["export"], Metric.FeatureDayUsers, Metric.FeatureDayUsers7, Metric.FeatureDayUsers30),
        })
        {
            Assert.Equal([1.0, 0, 1, 0], Enumerable.Range(Day, 4).Select(d => counters.Get(day1, d)));
            Assert.Equal(0, counters.Get(day7, Day - 1));
            Assert.Equal([1.0, 1, 2, 2, 2, 2, 2, 1, 1, 0], Enumerable.Range(Day, 10).Select(d => counters.Get(day7, d)));
            Assert.Equal(2, counters.Get(day30, Day + 29));
            Assert.Equal(1, counters.Get(day30, Day + 31));
            Assert.Equal(0, counters.Get(day30, Day + 32));
            Assert.Equal(0, counters.Get(day30, Day + 1_000));
            Assert.Equal(4, counters.Entries().Count(e => e.Metric == CounterSet.ChangeMetricOf(day30))); // +1, +1, -1, -1
        }
    }

    [Fact]
    public void Replay_FeedbackAndIdentify_CountedOnlyWhereDefined()
    {
        var log = new[]
        {
            Events.Usage("a", Events.At(0), name: EventNames.Feedback, feature: "share", value: 4),
            Events.Usage("b", Events.At(0, hour: 20), name: EventNames.Feedback, feature: "share", value: 2),
            Events.Usage("b", Events.At(1), name: EventNames.Feedback, feature: "share", value: 5),
            Events.Usage("b", Events.At(1), feature: "share", value: 10),
            Events.Usage("c", Events.At(1), name: EventNames.Feedback, value: 1), // no feature: tenant usage only
            Events.Identify("d", Events.At(1), ("plan", "pro")),
        };

        var result = ReplayOracle.Replay(log, TenantRules.Default);

        var share = result.Features["share"];
        Assert.Equal((2.0, 6.0), (share.Get(Metric.FeatureDayFeedbackCount, Day), share.Get(Metric.FeatureDayFeedbackSum, Day)));
        Assert.Equal((1.0, 5.0), (share.Get(Metric.FeatureDayFeedbackCount, Day + 1), share.Get(Metric.FeatureDayFeedbackSum, Day + 1)));
        Assert.Equal((3.0, 11.0), (share.Total(Metric.FeatureTotalFeedbackCount), share.Total(Metric.FeatureTotalFeedbackSum)));
        Assert.Equal(4, share.Total(Metric.FeatureTotalEvents));
        Assert.Single(result.Features);
        Assert.Equal(5, result.Tenant.Total(Metric.TenantTotalEvents));
        Assert.Equal(3, result.Tenant.Total(Metric.TenantTotalUsers));
        Assert.Equal(["a", "b", "c", "d"], result.UserIds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void User_MixedEvents_SnapshotFromDefinitions()
    {
        var log = new[]
        {
            Events.Usage("a", Events.At(2), feature: "zeta", value: 1.5, session: "s1"),
            Events.Usage("a", Events.At(0, hour: 1), feature: "alpha", value: 2, session: "s1"),
            Events.Usage("a", Events.At(0, hour: 3), value: -0.5, session: string.Empty),
            Events.Usage("a", Events.At(2, hour: 18), feature: "alpha", session: "s2"),
            Events.Identify("a", Events.At(5), ("plan", "pro")),
        };

        var snapshot = ReplayOracle.Replay(log, TenantRules.Default).User("a", Events.At(4));

        Assert.Equal(Events.At(0, hour: 1), snapshot.FirstSeenMs);
        Assert.Equal(Events.At(2, hour: 18), snapshot.LastSeenMs);
        Assert.Equal(4, snapshot.EventCount);
        Assert.Equal(2, snapshot.ActiveDays);
        Assert.Equal(2, snapshot.Sessions);
        Assert.Equal(3, snapshot.ValueSum);
        Assert.Equal(
            [
                new FeatureUsageView("alpha", 2, Events.At(0, hour: 1), Events.At(2, hour: 18)),
                new FeatureUsageView("zeta", 1, Events.At(2), Events.At(2)),
            ],
            snapshot.Features);
        Assert.Equal("pro", Assert.Single(snapshot.Traits).Value);
        Assert.Equal(Lifecycle.New, snapshot.Lifecycle);
        Assert.Equal(Events.At(4), snapshot.AsOfMs);
    }

    [Fact]
    public void User_UnknownUser_EmptySnapshot()
    {
        var result = ReplayOracle.Replay([Events.Usage("a", Events.At(0))], TenantRules.Default);

        var snapshot = result.User("nobody", Events.At(1));

        Assert.Null(snapshot.FirstSeenMs);
        Assert.Equal(0, snapshot.EventCount);
        Assert.Empty(snapshot.Features);
        Assert.Equal(Lifecycle.Unknown, snapshot.Lifecycle);
    }

    [Fact]
    public void Replay_EventsOfTwoTenants_Throws() =>
        Assert.Throws<ArgumentException>(() => ReplayOracle.Replay(
            [Events.Usage("a", Events.At(0)), Events.Usage("a", Events.At(0)) with { Tenant = "globex" }],
            TenantRules.Default));
}
