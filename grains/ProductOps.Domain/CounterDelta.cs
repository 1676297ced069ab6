namespace ProductOps.Domain;

/// <summary>A change to one counter: of the tenant when <see cref="Feature"/> is empty, else of
/// that feature.</summary>
[GenerateSerializer, Immutable, Alias("productops.counter-delta")]
public readonly record struct CounterDelta(
    [property: Id(0)] string Feature,
    [property: Id(1)] Metric Metric,
    [property: Id(2)] int Bucket,
    [property: Id(3)] double Amount);
