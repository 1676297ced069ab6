namespace ProductOps.Domain;

/// <summary>Builds feature views from a feature's counters.</summary>
public static class FeatureReports
{
    public static FeatureTotals Totals(string feature, CounterSet counters, int today) => new(
        feature,
        (long)counters.Total(Metric.FeatureTotalAdopters),
        (long)counters.Total(Metric.FeatureTotalEvents),
        ActiveUsers.OfFeature(counters, today),
        (long)counters.Total(Metric.FeatureTotalFeedbackCount),
        counters.Total(Metric.FeatureTotalFeedbackSum));

    /// <summary>The feature's series over <paramref name="range"/> and its totals as of
    /// <paramref name="asOfMs"/> (the tenant clock's now). Days after as-of's have not happened:
    /// they are left out, as the overview leaves them out, up to the last with an event (one sent
    /// a little ahead of the clock); the hours with them.</summary>
    public static FeatureReport Report(string feature, CounterSet counters, TimeRange range, long asOfMs)
    {
        var firstDay = TimeBuckets.DayOf(range.FromMs);
        var lastDay = TimeBuckets.DayOf(range.ToMs - 1);
        var today = TimeBuckets.DayOf(asOfMs);
        while (lastDay > today && lastDay >= firstDay && Day(counters, lastDay).Events == 0)
        {
            lastDay--;
        }

        var daily = new SeriesPoint[Math.Max(0, lastDay - firstDay + 1)];
        for (var i = 0; i < daily.Length; i++)
        {
            daily[i] = Day(counters, firstDay + i);
        }

        var hourly = Array.Empty<SeriesPoint>();
        if (range.LengthMs <= TimeRange.MaxHourlyDays * TimeBuckets.MsPerDay)
        {
            var firstHour = TimeBuckets.HourOf(range.FromMs);
            var lastHour = Math.Min(TimeBuckets.HourOf(range.ToMs - 1), ((lastDay + 1) * 24) - 1);
            hourly = new SeriesPoint[Math.Max(0, lastHour - firstHour + 1)];
            for (var i = 0; i < hourly.Length; i++)
            {
                hourly[i] = Hour(counters, firstHour + i);
            }
        }

        return new FeatureReport(Totals(feature, counters, TimeBuckets.DayOf(asOfMs)), daily, hourly, asOfMs);
    }

    private static SeriesPoint Hour(CounterSet counters, int hour) => new(
        TimeBuckets.HourStartMs(hour),
        (long)counters.Get(Metric.FeatureHourEvents, hour),
        (long)counters.Get(Metric.FeatureHourUsers, hour),
        counters.Get(Metric.FeatureHourValueSum, hour),
        (long)counters.Get(Metric.FeatureHourNewAdopters, hour),
        (long)counters.Get(Metric.FeatureHourFeedbackCount, hour),
        counters.Get(Metric.FeatureHourFeedbackSum, hour));

    private static SeriesPoint Day(CounterSet counters, int day)
    {
        long events = 0, newAdopters = 0;
        double valueSum = 0;
        for (var hour = day * 24; hour < (day + 1) * 24; hour++)
        {
            events += (long)counters.Get(Metric.FeatureHourEvents, hour);
            valueSum += counters.Get(Metric.FeatureHourValueSum, hour);
            newAdopters += (long)counters.Get(Metric.FeatureHourNewAdopters, hour);
        }

        return new SeriesPoint(
            TimeBuckets.DayStartMs(day),
            events,
            (long)counters.Get(Metric.FeatureDayUsers, day),
            valueSum,
            newAdopters,
            (long)counters.Get(Metric.FeatureDayFeedbackCount, day),
            counters.Get(Metric.FeatureDayFeedbackSum, day));
    }
}
