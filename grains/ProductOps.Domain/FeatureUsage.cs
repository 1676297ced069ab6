namespace ProductOps.Domain;

/// <summary>One user's use of one feature.</summary>
[GenerateSerializer, Alias("productops.feature-usage")]
public sealed class FeatureUsage
{
    /// <summary>The feature's name; snapshots that kept usages by name in a dictionary lack it, and
    /// the user sets it from the key when it reads them.</summary>
    [Id(4)] public string Name { get; internal set; } = string.Empty;

    [Id(0)] public long Count { get; set; }

    [Id(1)] public long FirstUseMs { get; set; }

    [Id(2)] public long LastUseMs { get; set; }

    // Inline rather than a set object: a node holds a few records per user for 100k users.
    [NonSerialized] private SortedInts _hours = SortedInts.Of([]);

    /// <summary>The UTC hours in which the user used the feature; days derive from them.</summary>
    public ref readonly SortedInts Hours => ref _hours;

    /// <summary>The stored form of <see cref="Hours"/>, as snapshots have always held it.</summary>
    [Id(3)]
    internal SortedIntSet StoredHours
    {
        get => new() { Stored = _hours.Trimmed() };
        set => _hours = SortedInts.Of(value.Stored);
    }

    /// <summary>Adds an hour of use; false when it was already there.</summary>
    public bool AddHour(int hour) => _hours.Add(hour);
}
