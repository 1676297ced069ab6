namespace ProductOps.Grains.Abstractions;

/// <summary>What a tenant's sweep asks of one user: a score as of <paramref name="AsOfMs"/> by
/// the model it expects, judged with the alert threshold it expects.</summary>
/// <param name="AsOfMs">The tenant-clock time to score at (or the user's latest event, if later).</param>
/// <param name="ModelVersion">The tenant's active model version as the sweep read it.</param>
/// <param name="AlertThreshold">The tenant's alert threshold as the sweep read it.</param>
[GenerateSerializer, Immutable, Alias("productops.rescore-request")]
public sealed record RescoreRequest(
    [property: Id(0)] long AsOfMs,
    [property: Id(1)] int ModelVersion,
    [property: Id(2)] double AlertThreshold);
