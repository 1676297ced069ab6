namespace ProductOps.Domain;

/// <summary>A compact sorted set of bucket numbers (days or hours): 4 bytes an entry.</summary>
[GenerateSerializer, Alias("productops.sorted-int-set")]
public sealed class SortedIntSet
{
    [Id(0)] private List<int> _items = [];

    public int Count => _items.Count;

    public IReadOnlyList<int> Items => _items;

    /// <summary>Adds the value; false when it was already there.</summary>
    public bool Add(int value)
    {
        var index = _items.BinarySearch(value);
        if (index >= 0)
        {
            return false;
        }

        _items.Insert(~index, value);
        return true;
    }

    public bool Contains(int value) => _items.BinarySearch(value) >= 0;

    /// <summary>True when some member lies in [low, high].</summary>
    public bool AnyInRange(int low, int high)
    {
        var index = _items.BinarySearch(low);
        if (index >= 0)
        {
            return true;
        }

        index = ~index;
        return index < _items.Count && _items[index] <= high;
    }

    /// <summary>How many members lie in [low, high].</summary>
    public int CountInRange(int low, int high)
    {
        if (high < low)
        {
            return 0;
        }

        var from = _items.BinarySearch(low);
        from = from >= 0 ? from : ~from;
        var to = _items.BinarySearch(high);
        to = to >= 0 ? to + 1 : ~to;
        return Math.Max(0, to - from);
    }

    /// <summary>The greatest member below value, or null.</summary>
    public int? Predecessor(int value)
    {
        var index = _items.BinarySearch(value);
        index = index >= 0 ? index - 1 : ~index - 1;
        return index >= 0 ? _items[index] : null;
    }

    /// <summary>The least member above value, or null.</summary>
    public int? Successor(int value)
    {
        var index = _items.BinarySearch(value);
        index = index >= 0 ? index + 1 : ~index;
        return index < _items.Count ? _items[index] : null;
    }
}
