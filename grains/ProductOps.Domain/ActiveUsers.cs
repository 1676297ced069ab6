namespace ProductOps.Domain;

/// <summary>Distinct active users in the 1, 7 and 30 days ending with a day: a tenant's, or one
/// feature's. A tenant grain's answer carries its <see cref="Version"/> (null from a silo of an
/// earlier build, and for a feature's, which its report carries).</summary>
[GenerateSerializer, Immutable, Alias("productops.active-users")]
public sealed record ActiveUsers(
    [property: Id(0)] long Day1,
    [property: Id(1)] long Day7,
    [property: Id(2)] long Day30,
    [property: Id(3)] ReceiverVersion? Version = null)
{
    public static ActiveUsers OfTenant(CounterSet tenant, int day) => new(
        (long)tenant.Get(Metric.TenantDayUsers, day),
        (long)tenant.Get(Metric.TenantDayUsers7, day),
        (long)tenant.Get(Metric.TenantDayUsers30, day));

    public static ActiveUsers OfFeature(CounterSet feature, int day) => new(
        (long)feature.Get(Metric.FeatureDayUsers, day),
        (long)feature.Get(Metric.FeatureDayUsers7, day),
        (long)feature.Get(Metric.FeatureDayUsers30, day));
}
