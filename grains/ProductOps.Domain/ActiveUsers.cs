namespace ProductOps.Domain;

/// <summary>A tenant's distinct active users in the 1, 7 and 30 days ending with a day.</summary>
[GenerateSerializer, Immutable, Alias("productops.active-users")]
public sealed record ActiveUsers(
    [property: Id(0)] long Day1,
    [property: Id(1)] long Day7,
    [property: Id(2)] long Day30)
{
    public static ActiveUsers At(CounterSet tenant, int day) => new(
        (long)tenant.Get(Metric.TenantDayUsers, day),
        (long)tenant.Get(Metric.TenantDayUsers7, day),
        (long)tenant.Get(Metric.TenantDayUsers30, day));
}
