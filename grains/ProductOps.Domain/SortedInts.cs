namespace ProductOps.Domain;

/// <summary>
/// A sorted set of bucket numbers (a user's active days) as an array and a count, held inline by
/// its owner: no object of its own, only the array. Copies share the array, so owners keep it in a field and change it only through it:
/// a change through a copy would grow the owner's array into a new one and give the old one,
/// still the owner's, to <see cref="AgedArrays{T}"/> for another set. So changes are this
/// assembly's only (<see cref="SortedIntsChanges.Add"/>, by reference), and outside it a set is
/// read through a read-only reference.
/// </summary>
public struct SortedInts
{
    internal int[] _items;
    internal int _count;

    private SortedInts(int[] items) => (_items, _count) = (items, items.Length);

    public readonly int Count => _count;

    public readonly ReadOnlySpan<int> Items => (_items ?? []).AsSpan(0, _count);

    /// <summary>A set of <paramref name="sorted"/>'s members, which it takes over.</summary>
    internal static SortedInts Of(int[] sorted) => new(sorted);

    /// <summary>The stored form: the members in order, without spare capacity.</summary>
    public readonly int[] Trimmed() => SortedArray.Trimmed(_items ?? [], _count);

    public readonly bool Contains(int value) => Items.BinarySearch(value) >= 0;

    /// <summary>How many members lie in [low, high].</summary>
    public readonly int CountInRange(int low, int high)
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
    public readonly int? Predecessor(int value)
    {
        var index = Items.BinarySearch(value);
        index = index >= 0 ? index - 1 : ~index - 1;
        return index >= 0 ? _items[index] : null;
    }

    /// <summary>The least member above value, or null.</summary>
    public readonly int? Successor(int value)
    {
        var index = Items.BinarySearch(value);
        index = index >= 0 ? index + 1 : ~index;
        return index < _count ? _items[index] : null;
    }
}

/// <summary>Changes to a <see cref="SortedInts"/>, by reference to the owner's field.</summary>
internal static class SortedIntsChanges
{
    /// <summary>Adds the value; false when it was already there.</summary>
    public static bool Add(this ref SortedInts set, int value)
    {
        set._items ??= [];
        return SortedArray.Add(ref set._items, ref set._count, value);
    }
}
