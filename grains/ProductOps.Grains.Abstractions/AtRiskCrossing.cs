namespace ProductOps.Grains.Abstractions;

/// <summary>A user whose score rose to or above the tenant's alert threshold.</summary>
/// <param name="User">The user's new index entry (scored).</param>
/// <param name="PreviousProbability">The score before; null when the user had none.</param>
[GenerateSerializer, Immutable, Alias("productops.at-risk-crossing")]
public sealed record AtRiskCrossing([property: Id(0)] ChurnIndexEntry User, [property: Id(1)] float? PreviousProbability);
