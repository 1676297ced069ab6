namespace ProductOps.Grains.Abstractions;

/// <summary>What a tenant learns besides counters from one dispatch: the features it touched, the
/// latest event time (the event clock's watermark) and the oldest commit time (freshness).</summary>
[GenerateSerializer, Immutable, Alias("productops.dispatch-info")]
public sealed record DispatchInfo(
    [property: Id(0)] IReadOnlyList<string> Features,
    [property: Id(1)] long LatestEventMs,
    [property: Id(2)] long OldestCommittedAtMs)
{
    public static DispatchInfo None { get; } = new([], long.MinValue, 0);
}
