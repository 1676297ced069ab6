using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

public sealed class FeatureReportsTests
{
    private const int Day = Events.Day0;

    [Fact]
    public void Report_Day_SumsItsHours()
    {
        var counters = new CounterSet();
        AddHour(counters, (Day * 24) - 1, events: 100, valueSum: 100, newAdopters: 100); // the day before
        AddHour(counters, Day * 24, events: 2, valueSum: 1.5, newAdopters: 1);
        AddHour(counters, (Day * 24) + 13, events: 3, valueSum: 2.25, newAdopters: 0);
        AddHour(counters, (Day * 24) + 23, events: 5, valueSum: 4, newAdopters: 2);
        AddHour(counters, (Day + 1) * 24, events: 100, valueSum: 100, newAdopters: 100); // the day after
        counters.Add(Metric.FeatureDayUsers, Day, 4);
        counters.Add(Metric.FeatureDayFeedbackCount, Day, 2);
        counters.Add(Metric.FeatureDayFeedbackSum, Day, 9);
        var range = new TimeRange(TimeBuckets.DayStartMs(Day), TimeBuckets.DayStartMs(Day + 1));

        var report = FeatureReports.Report("search", counters, range, range.ToMs - 1);

        var day = Assert.Single(report.Daily);
        Assert.Equal(new SeriesPoint(TimeBuckets.DayStartMs(Day), 10, 4, 7.75, 3, 2, 9), day);
        Assert.Equal(24, report.Hourly.Count);
        Assert.Equal(report.Daily.Sum(d => d.Events), report.Hourly.Sum(h => h.Events));
        Assert.Equal(new SeriesPoint(TimeBuckets.HourStartMs((Day * 24) + 13), 3, 0, 2.25, 0, 0, 0), report.Hourly[13]);
    }

    /// <summary>Days after as-of's have not happened: left out, but for one with an event sent a
    /// little ahead of the clock.</summary>
    [Fact]
    public void Report_RangePastAsOf_EndsAtTheLastDayWithAnEvent()
    {
        var counters = new CounterSet();
        AddHour(counters, Day * 24, events: 1, valueSum: 0, newAdopters: 1);
        AddHour(counters, (Day + 1) * 24, events: 2, valueSum: 0, newAdopters: 0); // ahead of the clock
        var range = new TimeRange(TimeBuckets.DayStartMs(Day - 1), TimeBuckets.DayStartMs(Day + 6));

        var ahead = FeatureReports.Report("search", counters, range, TimeBuckets.DayStartMs(Day) + TimeBuckets.MsPerHour);
        var future = FeatureReports.Report("search", counters, new TimeRange(TimeBuckets.DayStartMs(Day + 2), TimeBuckets.DayStartMs(Day + 6)), TimeBuckets.DayStartMs(Day));

        Assert.Equal([TimeBuckets.DayStartMs(Day - 1), TimeBuckets.DayStartMs(Day), TimeBuckets.DayStartMs(Day + 1)], ahead.Daily.Select(p => p.BucketStartMs));
        Assert.Equal(3 * 24, ahead.Hourly.Count);
        Assert.Equal(3, ahead.Hourly.Sum(p => p.Events));
        Assert.Empty(future.Daily);
        Assert.Empty(future.Hourly);
    }

    [Fact]
    public void Report_RangeOver31Days_OmitsHourly()
    {
        var counters = new CounterSet();
        AddHour(counters, Day * 24, events: 1, valueSum: 1, newAdopters: 1);
        var range = new TimeRange(TimeBuckets.DayStartMs(Day), TimeBuckets.DayStartMs(Day + 32));

        var report = FeatureReports.Report("search", counters, range, range.ToMs);

        Assert.Empty(report.Hourly);
        Assert.Equal(32, report.Daily.Count);
        Assert.Equal(1, report.Daily[0].Events);
    }

    [Fact]
    public void Report_RangeOfExactly31Days_KeepsHourly()
    {
        var range = new TimeRange(TimeBuckets.DayStartMs(Day), TimeBuckets.DayStartMs(Day + 31));

        var report = FeatureReports.Report("search", new CounterSet(), range, range.ToMs);

        Assert.Equal(31 * 24, report.Hourly.Count);
        Assert.Equal(TimeBuckets.DayStartMs(Day), report.Hourly[0].BucketStartMs);
        Assert.Equal(31, report.Daily.Count);
    }

    [Fact]
    public void Report_Totals_AreTheFeaturesOwnAsOfItsDay()
    {
        var counters = new CounterSet();
        counters.Add(Metric.FeatureDayUsers, Day, 3);
        counters.Add(Metric.FeatureDayUsers7, Day, 6);
        counters.Add(Metric.FeatureDayUsers30, Day, 9);
        counters.Add(Metric.FeatureDayUsers, Day + 1, 99); // the day after as of: ignored
        counters.Add(Metric.FeatureTotalEvents, 0, 40);
        var range = new TimeRange(TimeBuckets.DayStartMs(Day - 1), TimeBuckets.DayStartMs(Day + 1));

        var report = FeatureReports.Report("search", counters, range, TimeBuckets.DayStartMs(Day) + 5);

        Assert.Equal(new FeatureTotals("search", 0, 40, new ActiveUsers(3, 6, 9), 0, 0), report.Totals);
        var summary = report.Totals.Against(new ActiveUsers(3, 12, 36));
        Assert.Equal((1.0, 0.5, 0.25), (summary.Adoption1, summary.Adoption7, summary.Adoption30));
    }

    [Fact]
    public void TotalsAgainst_ActiveUsers_GivesAdoptionRatios()
    {
        var counters = new CounterSet();
        counters.Add(Metric.FeatureDayUsers, Day, 5);
        counters.Add(Metric.FeatureDayUsers7, Day, 10);
        counters.Add(Metric.FeatureDayUsers30, Day, 10);
        counters.Add(Metric.FeatureDayUsers, Day - 1, 99); // another day: ignored
        counters.Add(Metric.FeatureTotalAdopters, 0, 12);
        counters.Add(Metric.FeatureTotalEvents, 0, 40);
        counters.Add(Metric.FeatureTotalFeedbackCount, 0, 4);
        counters.Add(Metric.FeatureTotalFeedbackSum, 0, 14);

        var summary = FeatureReports.Totals("search", counters, Day).Against(new ActiveUsers(10, 20, 40));

        Assert.Equal(new FeatureSummary("search", 12, 40, 0.5, 0.5, 0.25, 4, 14), summary);
        Assert.Equal(3.5, summary.FeedbackMean);
    }

    [Fact]
    public void TotalsAgainst_NoActiveUsers_RatiosAreZero()
    {
        var counters = new CounterSet();
        counters.Add(Metric.FeatureDayUsers, Day, 5);

        var summary = FeatureReports.Totals("search", counters, Day).Against(new ActiveUsers(0, 0, 0));

        Assert.Equal((0.0, 0.0, 0.0), (summary.Adoption1, summary.Adoption7, summary.Adoption30));
        Assert.Equal(0, summary.FeedbackMean);
    }

    [Fact]
    public void Report_RangeInsideDaysAndHours_PointsAreTheWholeDaysAndHours()
    {
        var counters = new CounterSet();
        AddHour(counters, (Day * 24) + 10, events: 4, valueSum: 0, newAdopters: 0);
        AddHour(counters, (Day * 24) + 11, events: 1, valueSum: 0, newAdopters: 0);
        // 10:30 to 11:15: the points are the hours 10 and 11, and the whole day, as the proto says.
        var range = new TimeRange(Events.At(0, hour: 10, minute: 30), Events.At(0, hour: 11, minute: 15));

        var report = FeatureReports.Report("search", counters, range, range.ToMs);

        Assert.Equal([TimeBuckets.HourStartMs((Day * 24) + 10), TimeBuckets.HourStartMs((Day * 24) + 11)], report.Hourly.Select(h => h.BucketStartMs));
        Assert.Equal(5, Assert.Single(report.Daily).Events);
    }

    [Fact]
    public void Report_FeedbackInTheHourlySeries_IsEachHoursOwn()
    {
        var rules = TenantRules.Default;
        TrackedEvent[] log =
        [
            Events.Usage("u1", Events.At(0, hour: 9), name: EventNames.Feedback, feature: "search", value: 4),
            Events.Usage("u2", Events.At(0, hour: 9, minute: 30), name: EventNames.Feedback, feature: "search", value: 2),
            Events.Usage("u1", Events.At(0, hour: 15), name: EventNames.Feedback, feature: "search", value: 5),
            Events.Usage("u1", Events.At(0, hour: 15), feature: "search", value: 100), // not feedback
        ];
        var range = new TimeRange(TimeBuckets.DayStartMs(Day), TimeBuckets.DayStartMs(Day + 1));
        var live = LiveReplay.Run(log, rules).Features["search"];
        var oracle = ReplayOracle.Replay(log, rules).Features["search"];

        foreach (var counters in new[] { live, oracle })
        {
            var report = FeatureReports.Report("search", counters, range, range.ToMs - 1);

            Assert.Equal((2L, 6.0), (report.Hourly[9].FeedbackCount, report.Hourly[9].FeedbackSum));
            Assert.Equal((1L, 5.0), (report.Hourly[15].FeedbackCount, report.Hourly[15].FeedbackSum));
            Assert.Equal(report.Daily[0].FeedbackCount, report.Hourly.Sum(h => h.FeedbackCount));
            Assert.Equal(report.Daily[0].FeedbackSum, report.Hourly.Sum(h => h.FeedbackSum));
        }
    }

    private static void AddHour(CounterSet counters, int hour, long events, double valueSum, long newAdopters)
    {
        counters.Add(Metric.FeatureHourEvents, hour, events);
        counters.Add(Metric.FeatureHourValueSum, hour, valueSum);
        counters.Add(Metric.FeatureHourNewAdopters, hour, newAdopters);
    }
}
