using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

[GenerateSerializer, Immutable, Alias("productops.append-request")]
public sealed record AppendRequest([property: Id(0)] IReadOnlyList<TrackedEvent> Events);
