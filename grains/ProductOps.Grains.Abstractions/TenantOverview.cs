using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

/// <summary>A tenant's aggregates for GetOverview; <see cref="Version"/> is the tenant grain's when
/// it answered (null from a silo of an earlier build).</summary>
[GenerateSerializer, Immutable, Alias("productops.tenant-overview")]
public sealed record TenantOverview(
    [property: Id(0)] TenantActivity Activity,
    [property: Id(1)] IngestionCounts Counters,
    [property: Id(2)] long LastDispatchLagMs,
    [property: Id(3)] long NowMs,
    [property: Id(4)] TenantClock Clock,
    [property: Id(5)] ReceiverVersion? Version = null);
