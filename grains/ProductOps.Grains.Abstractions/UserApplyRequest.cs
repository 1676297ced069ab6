using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

/// <summary>Events of one user in seq order, and the partition's persisted checkpoint: deltas of
/// events at or below it will never be asked for again.</summary>
[GenerateSerializer, Immutable, Alias("productops.user-apply-request")]
public sealed record UserApplyRequest(
    [property: Id(0)] IReadOnlyList<LoggedEvent> Events,
    [property: Id(1)] long Checkpoint);
