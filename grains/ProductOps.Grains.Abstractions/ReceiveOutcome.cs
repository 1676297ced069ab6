namespace ProductOps.Grains.Abstractions;

/// <summary>How an aggregate grain took a delta, with its watermark for the partition.</summary>
[GenerateSerializer, Immutable, Alias("productops.receive-outcome")]
public sealed record ReceiveOutcome([property: Id(0)] ReceiveStatus Status, [property: Id(1)] long Watermark);
