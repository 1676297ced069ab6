namespace ProductOps.Domain;

/// <summary>A tenant's activity series and totals, built from its counters.</summary>
[GenerateSerializer, Immutable, Alias("productops.tenant-activity")]
public sealed record TenantActivity(
    [property: Id(0)] IReadOnlyList<DayActivity> Days,
    [property: Id(1)] long TotalUsers,
    [property: Id(2)] long TotalEvents)
{
    public static TenantActivity From(CounterSet counters, TimeRange range)
    {
        var days = new List<DayActivity>();
        for (var day = TimeBuckets.DayOf(range.FromMs); day <= TimeBuckets.DayOf(range.ToMs - 1); day++)
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
