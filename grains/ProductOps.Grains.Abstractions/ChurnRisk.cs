namespace ProductOps.Grains.Abstractions;

/// <summary>One user's churn risk as of a time of the tenant clock.</summary>
/// <param name="Probability">Calibrated probability that the user churns within the tenant's horizon.</param>
/// <param name="ModelVersion">The registry version of the model that scored it.</param>
/// <param name="ScoredAtMs">The tenant-clock time the features were computed at.</param>
/// <param name="Reasons">The features that pushed the score up most, in plain words.</param>
[GenerateSerializer, Immutable, Alias("productops.churn-risk")]
public sealed record ChurnRisk(
    [property: Id(0)] float Probability,
    [property: Id(1)] int ModelVersion,
    [property: Id(2)] long ScoredAtMs,
    [property: Id(3)] IReadOnlyList<string> Reasons);
