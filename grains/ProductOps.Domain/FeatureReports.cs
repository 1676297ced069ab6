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

    public static FeatureReport Report(string feature, CounterSet counters, TimeRange range, long asOfMs)
    {
        var firstDay = TimeBuckets.DayOf(range.FromMs);
        var lastDay = TimeBuckets.DayOf(range.ToMs - 1);
        var daily = new SeriesPoint[lastDay - firstDay + 1];
        for (var i = 0; i < daily.Length; i++)
        {
            daily[i] = Day(counters, firstDay + i);
        }

        var hourly = Array.Empty<SeriesPoint>();
        if (range.LengthMs <= TimeRange.MaxHourlyDays * TimeBuckets.MsPerDay)
        {
            var firstHour = TimeBuckets.HourOf(range.FromMs);
            hourly = new SeriesPoint[TimeBuckets.HourOf(range.ToMs - 1) - firstHour + 1];
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
