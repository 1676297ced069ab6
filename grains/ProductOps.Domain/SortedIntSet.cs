namespace ProductOps.Domain;

/// <summary>A compact sorted set of bucket numbers (days or hours): 4 bytes an entry.</summary>
[GenerateSerializer, Alias("productops.sorted-int-set")]
public sealed class SortedIntSet
{
    [NonSerialized] private int[] _items = [];
    [NonSerialized] private int _count;

    public int Count => _count;

    public ReadOnlySpan<int> Items => _items.AsSpan(0, _count);

    /// <summary>The stored form: the members in order, without spare capacity.</summary>
    [Id(1)]
    internal int[] Stored
    {
        get => SortedArray.Trimmed(_items, _count);
        set => (_items, _count) = (value, value.Length);
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
    public bool Add(int value) => SortedArray.Add(ref _items, ref _count, value);

    public bool Contains(int value) => Items.BinarySearch(value) >= 0;

    /// <summary>True when some member lies in [low, high].</summary>
    public bool AnyInRange(int low, int high)
    {
        var index = Items.BinarySearch(low);
        if (index >= 0)
        {
            return true;
        }

        index = ~index;
        return index < _count && _items[index] <= high;
    }

    /// <summary>How many members lie in [low, high].</summary>
    public int CountInRange(int low, int high)
    {
        if (high < low)
        {
            return 0;
        }

        var items = Items;
        var from = items.BinarySearch(low);
        from = from >= 0 ? from : ~from;
        var to = items.BinarySearch(high);
        to = to >= 0 ? to + 1 : ~to;
        return Math.Max(0, to - from);
    }

    /// <summary>The greatest member below value, or null.</summary>
    public int? Predecessor(int value)
    {
        var index = Items.BinarySearch(value);
        index = index >= 0 ? index - 1 : ~index - 1;
        return index >= 0 ? _items[index] : null;
    }

    /// <summary>The least member above value, or null.</summary>
    public int? Successor(int value)
    {
        var index = Items.BinarySearch(value);
        index = index >= 0 ? index + 1 : ~index;
        return index < _count ? _items[index] : null;
    }
}
