namespace ProductOps.Domain;

/// <summary>A compact sorted set of bucket numbers (days or hours): 4 bytes an entry.</summary>
[GenerateSerializer, Alias("productops.sorted-int-set")]
public sealed class SortedIntSet
{
    [NonSerialized] private SortedInts _set = SortedInts.Of([]);

    public int Count => _set.Count;

    public ReadOnlySpan<int> Items => _set.Items;

    /// <summary>The stored form: the members in order, without spare capacity.</summary>
    [Id(1)]
    internal int[] Stored
    {
        get => _set.Trimmed();
        set => _set = SortedInts.Of(value);
    }

    /// <summary>Snapshots written before <see cref="Stored"/> hold the members in a list.</summary>
    [Id(0)]
    internal List<int>? LegacyItems
    {
        get => null;
        set
        {
            if (value is not null)
            {
                Stored = [.. value];
            }
        }
    }

    /// <summary>Adds the value; false when it was already there.</summary>
    public bool Add(int value) => _set.Add(value);

    public bool Contains(int value) => _set.Contains(value);

    /// <summary>True when some member lies in [low, high].</summary>
    public bool AnyInRange(int low, int high) => _set.AnyInRange(low, high);

    /// <summary>How many members lie in [low, high].</summary>
    public int CountInRange(int low, int high) => _set.CountInRange(low, high);

    /// <summary>The greatest member below value, or null.</summary>
    public int? Predecessor(int value) => _set.Predecessor(value);

    /// <summary>The least member above value, or null.</summary>
    public int? Successor(int value) => _set.Successor(value);
}
