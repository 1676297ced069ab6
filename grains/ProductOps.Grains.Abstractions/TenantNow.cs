using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

[GenerateSerializer, Immutable, Alias("productops.tenant-now")]
public sealed record TenantNow([property: Id(0)] long NowMs, [property: Id(1)] ActiveUsers Active);
