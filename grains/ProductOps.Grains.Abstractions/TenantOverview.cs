using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

[GenerateSerializer, Immutable, Alias("productops.tenant-overview")]
public sealed record TenantOverview(
    [property: Id(0)] TenantActivity Activity,
    [property: Id(1)] IngestionCounts Counters,
    [property: Id(2)] long LastDispatchLagMs,
    [property: Id(3)] long NowMs,
    [property: Id(4)] TenantClock Clock);
