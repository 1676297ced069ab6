namespace ProductOps.Domain;

/// <summary>One user's use of one feature.</summary>
[GenerateSerializer, Alias("productops.feature-usage")]
public sealed class FeatureUsage
{
    [Id(0)] public long Count { get; set; }

    [Id(1)] public long FirstUseMs { get; set; }

    [Id(2)] public long LastUseMs { get; set; }

    /// <summary>The UTC hours in which the user used the feature; days derive from them.</summary>
    [Id(3)] public SortedIntSet Hours { get; set; } = new();
}
