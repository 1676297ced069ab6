namespace ProductOps.Domain;

/// <summary>A tenant's activity series and totals, built from its counters.</summary>
[GenerateSerializer, Immutable, Alias("productops.tenant-activity")]
public sealed record TenantActivity(
    [property: Id(0)] IReadOnlyList<DayActivity> Days,
    [property: Id(1)] long TotalUsers,
    [property: Id(2)] long TotalEvents)
{
    /// <param name="counters">The tenant's counters.</param>
    /// <param name="range">The days asked for.</param>
    /// <param name="lastDay">The last day answered: the tenant clock's (or a later event's, sent a
    /// little ahead). A day that has not happened has no activity, and the windows it would carry
    /// (the WAU and MAU of the days before it) would read as if it had.</param>
    public static TenantActivity From(CounterSet counters, TimeRange range, int lastDay = int.MaxValue)
    {
        var days = new List<DayActivity>();
        for (var day = TimeBuckets.DayOf(range.FromMs); day <= Math.Min(TimeBuckets.DayOf(range.ToMs - 1), lastDay); day++)
        {
            days.Add(new DayActivity(
                TimeBuckets.DayStartMs(day),
                (long)counters.Get(Metric.TenantDayUsers, day),
                (long)counters.Get(Metric.TenantDayUsers7, day),
                (long)counters.Get(Metric.TenantDayUsers30, day),
                (long)counters.Get(Metric.TenantDayNewUsers, day),
                (long)counters.Get(Metric.TenantDayEvents, day)));
        }

        return new TenantActivity(days, (long)counters.Total(Metric.TenantTotalUsers), (long)counters.Total(Metric.TenantTotalEvents));
    }
}
