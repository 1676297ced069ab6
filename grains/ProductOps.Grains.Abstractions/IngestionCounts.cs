namespace ProductOps.Grains.Abstractions;

/// <summary>Operational ingestion counters; summed, not replayed from the log.</summary>
[GenerateSerializer, Immutable, Alias("productops.ingestion-counts")]
public sealed record IngestionCounts(
    [property: Id(0)] long Accepted,
    [property: Id(1)] long Duplicates,
    [property: Id(2)] long Rejected)
{
    public static IngestionCounts Zero { get; } = new(0, 0, 0);

    public IngestionCounts Plus(IngestionCounts other) =>
        new(Accepted + other.Accepted, Duplicates + other.Duplicates, Rejected + other.Rejected);
}
