using System.Numerics;
using System.Runtime.CompilerServices;

namespace ProductOps.Domain;

/// <summary>
/// In-place sorted arrays for the per-user sets: the owner keeps an array and a count, with no list
/// object between them. A user grain holds a dozen such sets, and a hundred thousand users are live
/// at once, so the list wrapper (32 bytes) and a tail of unused capacity are worth saving.
/// </summary>
internal static class SortedArray
{
    /// <summary>Inserts <paramref name="value"/> at <paramref name="index"/>, growing a full array
    /// to the next power of two (double, once it is one).</summary>
    /// <remarks>An array of plain values grows into one from <see cref="AgedArrays{T}"/> and goes
    /// back there: so its owner must be the only one holding it (copies of a set are read and
    /// dropped, never kept across a change).</remarks>
    public static void InsertAt<T>(ref T[] items, ref int count, int index, T value)
    {
        if (count == items.Length)
        {
            // To the next power of two, the lengths AgedArrays serves: a set read from a snapshot
            // holds exactly its items.
            var length = items.Length == 0 ? FirstCapacity<T>() : (int)BitOperations.RoundUpToPowerOf2((uint)items.Length + 1);
            var plain = !RuntimeHelpers.IsReferenceOrContainsReferences<T>();
            var grown = plain ? AgedArrays<T>.Rent(length) : new T[length];
            items.AsSpan(0, index).CopyTo(grown);
            items.AsSpan(index, count - index).CopyTo(grown.AsSpan(index + 1));
            var outgrown = items;
            items = grown; // the owner lets go of the old array before another set can take it
            if (plain && outgrown.Length > 0)
            {
                AgedArrays<T>.Return(outgrown);
            }
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

    /// <summary>A first array of 16 bytes of items (4 ints, 2 longs or references, one larger
    /// struct) instead of one item: the header is 24 bytes anyway, and a set that grows by one
    /// item at a time would otherwise be reallocated at its second and third items, each new array
    /// an object the next gen0 collection promotes.</summary>
    private static int FirstCapacity<T>() => Math.Max(1, 16 / Unsafe.SizeOf<T>());
}
