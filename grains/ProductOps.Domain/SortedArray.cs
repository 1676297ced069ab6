namespace ProductOps.Domain;

/// <summary>
/// In-place sorted arrays for the per-user sets: the owner keeps an array and a count, with no list
/// object between them. A user grain holds a dozen such sets, and a hundred thousand users are live
/// at once, so the list wrapper (32 bytes) and a tail of unused capacity are worth saving.
/// </summary>
internal static class SortedArray
{
    /// <summary>Inserts <paramref name="value"/> at <paramref name="index"/>, doubling the array when full.</summary>
    public static void InsertAt<T>(ref T[] items, ref int count, int index, T value)
    {
        if (count == items.Length)
        {
            var grown = new T[items.Length == 0 ? 1 : items.Length * 2];
            items.AsSpan(0, index).CopyTo(grown);
            items.AsSpan(index, count - index).CopyTo(grown.AsSpan(index + 1));
            items = grown;
        }
        else
        {
            items.AsSpan(index, count - index).CopyTo(items.AsSpan(index + 1));
        }

        items[index] = value;
        count++;
    }

    /// <summary>Adds <paramref name="value"/> in order; false when it was already there.</summary>
    public static bool Add<T>(ref T[] items, ref int count, T value)
        where T : IComparable<T>
    {
        var index = items.AsSpan(0, count).BinarySearch(value);
        if (index >= 0)
        {
            return false;
        }

        InsertAt(ref items, ref count, ~index, value);
        return true;
    }

    /// <summary>The first <paramref name="count"/> items, for a stored form without the spare capacity.</summary>
    public static T[] Trimmed<T>(T[] items, int count) => count == items.Length ? items : items[..count];
}
