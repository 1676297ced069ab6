namespace ProductOps.Grains.Abstractions;

/// <summary>A user's churn risk scored on request, or why there is none.</summary>
/// <param name="Risk">The score by the tenant's active model, always explained; null when the
/// user has no usage, has cancelled, or the tenant has no active model.</param>
/// <param name="HasUsage">Whether the user has any usage event.</param>
/// <param name="CancelledAtMs">When the user cancelled (see <see cref="ChurnIndexEntry.CancelledAtMs"/>); null otherwise.</param>
/// <param name="HasEvents">Whether the tenant has the user at all: any event, usage or Identify
/// (see <see cref="ProductOps.Domain.UserSnapshot"/>). A silo of an earlier build sends false.</param>
[GenerateSerializer, Immutable, Alias("productops.user-churn-risk")]
public sealed record UserChurnRisk(
    [property: Id(0)] ChurnRisk? Risk,
    [property: Id(1)] bool HasUsage,
    [property: Id(2)] long? CancelledAtMs,
    [property: Id(3)] bool HasEvents);
