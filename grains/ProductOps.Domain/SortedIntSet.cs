namespace ProductOps.Domain;

/// <summary>
/// A compact sorted set of bucket numbers (days or hours): 4 bytes an entry in one array, with no
/// list object around it. A user holds about ten of these (active days, and the hours of each
/// feature used), so the wrapper and its spare capacity were a tenth of a user grain's heap.
/// </summary>
[GenerateSerializer, Alias("productops.sorted-int-set")]
public sealed class SortedIntSet
{
    [NonSerialized]
    private int[] _values = [];
    [NonSerialized]
    private int _count;

    public int Count => _count;

    public ReadOnlySpan<int> Items => _values.AsSpan(0, _count);

    /// <summary>The members as serialized: exactly <see cref="Count"/> of them (internal: the
    /// generated serializer reads and writes it).</summary>
    [Id(1)]
    internal int[] Stored
    {
        get => _count == _values.Length ? _values : _values[.._count];
        set => (_values, _count) = (value, value.Length);
    }

    /// <summary>Snapshots written before the members were kept in a bare array (read only; written
    /// as null).</summary>
    [Id(0)]
    internal List<int>? LegacyItems
    {
        get => null;
        set
        {
            if (value is { Count: > 0 })
            {
                Stored = [.. value];
            }
        }
    }

    /// <summary>Adds the value; false when it was already there.</summary>
    public bool Add(int value)
    {
        var index = Search(value);
        if (index >= 0)
        {
            return false;
        }

        index = ~index;
        if (_count == _values.Length)
        {
            // Grows by half: sets grow a member at a time, and most stay small.
            Array.Resize(ref _values, Math.Max(4, _count + (_count >> 1)));
        }

        Array.Copy(_values, index, _values, index + 1, _count - index);
        _values[index] = value;
        _count++;
        return true;
    }

    public bool Contains(int value) => Search(value) >= 0;

    /// <summary>True when some member lies in [low, high].</summary>
    public bool AnyInRange(int low, int high)
    {
        var index = Search(low);
        if (index >= 0)
        {
            return true;
        }

        index = ~index;
        return index < _count && _values[index] <= high;
    }

    /// <summary>How many members lie in [low, high].</summary>
    public int CountInRange(int low, int high)
    {
        if (high < low)
        {
            return 0;
        }

        var from = Search(low);
        from = from >= 0 ? from : ~from;
        var to = Search(high);
        to = to >= 0 ? to + 1 : ~to;
        return Math.Max(0, to - from);
    }

    /// <summary>The greatest member below value, or null.</summary>
    public int? Predecessor(int value)
    {
        var index = Search(value);
        index = index >= 0 ? index - 1 : ~index - 1;
        return index >= 0 ? _values[index] : null;
    }

    /// <summary>The least member above value, or null.</summary>
    public int? Successor(int value)
    {
        var index = Search(value);
        index = index >= 0 ? index + 1 : ~index;
        return index < _count ? _values[index] : null;
    }

    private int Search(int value) => Array.BinarySearch(_values, 0, _count, value);
}
