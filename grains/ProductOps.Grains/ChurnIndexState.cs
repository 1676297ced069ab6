using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

[GenerateSerializer, Alias("productops.churn-index-state")]
public sealed class ChurnIndexState
{
    /// <summary>Every user of the shard's partition with events, by user id.</summary>
    [Id(0)] public Dictionary<string, ChurnIndexEntry> Users { get; init; } = new(StringComparer.Ordinal);
}
