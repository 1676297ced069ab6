namespace ProductOps.Domain;

/// <summary>What GetUser returns: one user's analytics at a point of the tenant clock.
/// <c>HasEvents</c> is false only for a user the tenant does not have: any event applied, usage or
/// Identify, makes it true (a user whose every trait was deleted has no traits, and is still known).</summary>
[GenerateSerializer, Immutable, Alias("productops.user-snapshot")]
public sealed record UserSnapshot(
    [property: Id(0)] string UserId,
    [property: Id(1)] long? FirstSeenMs,
    [property: Id(2)] long? LastSeenMs,
    [property: Id(3)] long EventCount,
    [property: Id(4)] int ActiveDays,
    [property: Id(5)] long Sessions,
    [property: Id(6)] double ValueSum,
    [property: Id(7)] IReadOnlyList<FeatureUsageView> Features,
    [property: Id(8)] IReadOnlyDictionary<string, string> Traits,
    [property: Id(9)] Lifecycle Lifecycle,
    [property: Id(10)] long AsOfMs,
    [property: Id(11)] bool HasEvents);
