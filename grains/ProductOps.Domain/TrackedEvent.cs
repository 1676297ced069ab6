namespace ProductOps.Domain;

/// <summary>A validated usage event of one tenant's user, as written to the event log.</summary>
[GenerateSerializer, Immutable, Alias("productops.tracked-event")]
public sealed record TrackedEvent(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string UserId,
    [property: Id(2)] string EventId,
    [property: Id(3)] string Name,
    [property: Id(4)] string Feature,
    [property: Id(5)] long TimestampMs,
    [property: Id(6)] double Value,
    [property: Id(7)] string SessionId,
    [property: Id(8)] IReadOnlyDictionary<string, string>? Properties)
{
    /// <summary>True for trait updates (Identify), which set traits but are not usage.</summary>
    public bool IsIdentify => Name == EventNames.Identify;

    public bool HasFeature => Feature.Length > 0;
}
