using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

/// <summary>The deltas of each applied event, in request order.</summary>
[GenerateSerializer, Immutable, Alias("productops.user-apply-result")]
public sealed record UserApplyResult([property: Id(0)] IReadOnlyList<CounterDelta[]> Deltas);
