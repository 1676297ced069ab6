namespace ProductOps.Domain;

/// <summary>A change to one counter, or to a run of consecutive buckets of one metric by the same
/// amount (a new active day enters up to 30 rolling windows: one delta, not 30): of the tenant
/// when <see cref="Feature"/> is empty, else of that feature.</summary>
[GenerateSerializer, Immutable, Alias("productops.counter-delta")]
public readonly record struct CounterDelta(
    [property: Id(0)] string Feature,
    [property: Id(1)] Metric Metric,
    [property: Id(2)] int Bucket,
    [property: Id(3)] double Amount,
    [property: Id(4)] ushort ExtraBuckets = 0)
{
    /// <summary>The last bucket changed: <see cref="Bucket"/> plus <see cref="ExtraBuckets"/>.</summary>
    public int LastBucket => Bucket + ExtraBuckets;
}
