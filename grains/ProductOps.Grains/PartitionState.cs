namespace ProductOps.Grains;

[GenerateSerializer, Alias("productops.partition-state")]
public sealed class PartitionState
{
    /// <summary>Every receiver holds (persisted) all it was sent up to this seq.</summary>
    [Id(0)] public long Checkpoint { get; set; }
}
