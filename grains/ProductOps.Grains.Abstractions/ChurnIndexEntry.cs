namespace ProductOps.Grains.Abstractions;

/// <summary>One user's line in the at-risk index: the latest score the user grain pushed.</summary>
/// <param name="UserId">The user.</param>
/// <param name="Risk">The latest score; null while the tenant had no active model.</param>
/// <param name="Features">Features the user has used, for the feature filter.</param>
[GenerateSerializer, Immutable, Alias("productops.churn-index-entry")]
public sealed record ChurnIndexEntry(
    [property: Id(0)] string UserId,
    [property: Id(1)] ChurnRisk? Risk,
    [property: Id(2)] IReadOnlyList<string> Features);
