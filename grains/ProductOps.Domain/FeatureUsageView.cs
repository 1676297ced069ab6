namespace ProductOps.Domain;

/// <summary>One user's use of one feature, as read.</summary>
[GenerateSerializer, Immutable, Alias("productops.feature-usage-view")]
public sealed record FeatureUsageView(
    [property: Id(0)] string Feature,
    [property: Id(1)] long Count,
    [property: Id(2)] long FirstUseMs,
    [property: Id(3)] long LastUseMs);
