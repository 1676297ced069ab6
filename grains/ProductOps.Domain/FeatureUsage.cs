namespace ProductOps.Domain;

/// <summary>The stored form of one user's use of one feature (a user holds its features as
/// values, <see cref="UserFeatures"/>, and writes and reads them as these records).</summary>
[GenerateSerializer, Alias("productops.feature-usage")]
public sealed class FeatureUsage
{
    /// <summary>The feature's name; snapshots that kept usages by name in a dictionary lack it, and
    /// the user sets it from the key when it reads them.</summary>
    [Id(4)] public string Name { get; internal set; } = string.Empty;

    [Id(0)] public long Count { get; set; }

    [Id(1)] public long FirstUseMs { get; set; }

    [Id(2)] public long LastUseMs { get; set; }

    /// <summary>The UTC hours in which the user used the feature.</summary>
    [Id(3)] internal SortedIntSet StoredHours { get; set; } = new();
}
