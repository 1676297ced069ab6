namespace ProductOps.Grains.Abstractions.Training;

/// <summary>An operator activated <paramref name="Version"/> by hand at <paramref name="SinceMs"/>
/// (Unix ms); until a training started with "resume auto-activation" lifts it, scheduled
/// trainings store their models without activating them.</summary>
[GenerateSerializer, Immutable, Alias("productops.auto-activation-hold")]
public sealed record AutoActivationHold(
    [property: Id(0)] int Version,
    [property: Id(1)] long SinceMs);
