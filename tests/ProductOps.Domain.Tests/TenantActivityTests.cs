using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

public sealed class TenantActivityTests
{
    private const int Day = Events.Day0;

    [Fact]
    public void From_Counters_BuildsOneRowPerDayOfRange()
    {
        var counters = new CounterSet();
        counters.Add(Metric.TenantDayUsers, Day, 3);
        counters.Add(Metric.TenantDayUsers7, Day, 6);
        counters.Add(Metric.TenantDayUsers30, Day, 12);
        counters.Add(Metric.TenantDayNewUsers, Day, 2);
        counters.Add(Metric.TenantDayEvents, Day, 40);
        counters.Add(Metric.TenantDayUsers30, Day + 2, 12);
        counters.Add(Metric.TenantDayEvents, Day + 3, 1000); // outside the range
        counters.Add(Metric.TenantTotalUsers, 0, 50);
        counters.Add(Metric.TenantTotalEvents, 0, 900);

        var activity = TenantActivity.From(counters, TimeRange.DaysEndingAt(Events.At(2, hour: 23), 3));

        Assert.Equal(
            [
                new DayActivity(TimeBuckets.DayStartMs(Day), 3, 6, 12, 2, 40),
                new DayActivity(TimeBuckets.DayStartMs(Day + 1), 0, 0, 0, 0, 0),
                new DayActivity(TimeBuckets.DayStartMs(Day + 2), 0, 0, 12, 0, 0),
            ],
            activity.Days);
        Assert.Equal(50, activity.TotalUsers);
        Assert.Equal(900, activity.TotalEvents);
        Assert.Equal(0.25, activity.Days[0].Stickiness);
        Assert.Equal(0, activity.Days[1].Stickiness);
    }

    [Fact]
    public void From_OracleCounters_ReportsDistinctUsersAndWindows()
    {
        var log = new[]
        {
            Events.Usage("a", Events.At(0)),
            Events.Usage("a", Events.At(0, hour: 20)),
            Events.Usage("b", Events.At(1)),
            Events.Usage("a", Events.At(3)),
        };
        var oracle = ReplayOracle.Replay(log, TenantRules.Default);

        var activity = TenantActivity.From(oracle.Tenant, new TimeRange(TimeBuckets.DayStartMs(Day), TimeBuckets.DayStartMs(Day + 8)));

        Assert.Equal([1L, 1, 0, 1, 0, 0, 0, 0], activity.Days.Select(d => d.Dau));
        Assert.Equal([1L, 2, 2, 2, 2, 2, 2, 2], activity.Days.Select(d => d.Wau));
        Assert.Equal([1L, 1, 0, 0, 0, 0, 0, 0], activity.Days.Select(d => d.NewUsers));
        Assert.Equal([2L, 1, 0, 1, 0, 0, 0, 0], activity.Days.Select(d => d.Events));
        Assert.Equal((2L, 4L), (activity.TotalUsers, activity.TotalEvents));
    }

    /// <summary>Days after the last one (the tenant clock's) are left out: the windows carried into
    /// them (b's WAU on days 2-7) would read as activity on days that have not happened.</summary>
    [Fact]
    public void From_RangePastTheLastDay_EndsAtIt()
    {
        var oracle = ReplayOracle.Replay([Events.Usage("a", Events.At(0)), Events.Usage("b", Events.At(1))], TenantRules.Default);
        var range = new TimeRange(TimeBuckets.DayStartMs(Day), TimeBuckets.DayStartMs(Day + 8));

        var activity = TenantActivity.From(oracle.Tenant, range, lastDay: Day + 2);
        var allPast = TenantActivity.From(oracle.Tenant, range with { FromMs = TimeBuckets.DayStartMs(Day + 3) + 1 }, lastDay: Day + 2);

        Assert.Equal([1L, 2, 2], activity.Days.Select(d => d.Wau));
        Assert.Empty(allPast.Days);
        Assert.Equal((2L, 2L), (allPast.TotalUsers, allPast.TotalEvents));
    }
}
