namespace ProductOps.Domain;

/// <summary>One user's use of one feature.</summary>
[GenerateSerializer, Alias("productops.feature-usage")]
public sealed class FeatureUsage
{
    // A user's first use of a feature adds a record to the user's old array of features; one
    // that is old already marks no card there (see AgedPool). What the record points at is old
    // too on the all-in-one node: the gateway's cached name and, when one is ready, an aged array
    // of hours; a stand-alone gateway's names arrive decoded anew. 8,192 records of ~64 bytes
    // ready and as many waiting: at most about 1 MB.
    private static readonly AgedPool<FeatureUsage> Records = new(() => new FeatureUsage(), cap: 8192);

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

    /// <summary>The record of a first use at <paramref name="timestampMs"/>, with no hours yet.</summary>
    internal static FeatureUsage FirstUse(string name, long timestampMs)
    {
        var usage = Records.Rent();
        usage.Name = name;
        usage.FirstUseMs = timestampMs;
        usage.LastUseMs = timestampMs;
        return usage;
    }

    /// <summary>Adds an hour of use; false when it was already there.</summary>
    public bool AddHour(int hour) => _hours.Add(hour);
}
