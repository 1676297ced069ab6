namespace ProductOps.Grains.Abstractions;

/// <summary>One tenant's events that a partition committed and has not dispatched yet: how many,
/// and the commit time of the oldest.</summary>
[GenerateSerializer, Immutable, Alias("productops.tenant-pending")]
public sealed record TenantPending(
    [property: Id(0)] string Tenant,
    [property: Id(1)] long Events,
    [property: Id(2)] long OldestCommittedAtMs);
