using System.Numerics;
using System.Runtime.CompilerServices;

namespace ProductOps.Domain;

/// <summary>
/// Arrays of plain values for the per-user sets to grow into, handed out once the collector has
/// moved them to its oldest generation, and taken back when a set outgrows them.
/// </summary>
/// <remarks>
/// A user grain is old; a set that grows into a new array makes it point at a young object,
/// which marks a card, and each marked card costs the next gen0 collection a walk through that
/// part of the heap. Users' sets grow all the time under load (a new hour of a feature, a new
/// session), and those scattered cards were most of a gen0 pause: 15 ms against 5 ms with the
/// user's state left unchanged, at 45,500 events/s. An array from here is old already, so taking
/// it marks nothing. Arrays are made ahead (one more each time none was ready) and wait in a
/// queue, whose few cards are next to each other, until they are old; an outgrown array that is
/// old is reused rather than left to a full collection. Each length of each item type keeps at
/// most <see cref="HeldBytes"/> ready and as much waiting (headers counted): a ceiling of about
/// 23 MB for the four item types the user sets use (days, hashes and hour keys, recent days, feature uses), reached only by lengths in steady use.
/// Only arrays without references: pooling a user's array of feature records (before its features
/// were values) gave no clear gain in two measured pairs (one run better, one worse), and a
/// reference copied into an old array may mark its card whatever it points at; so the features'
/// names are not pooled, their uses and hours are.
/// </remarks>
internal static class AgedArrays<T>
{
    /// <summary>Lengths are powers of two up to this; longer sets get a new array each time.</summary>
    public const int MaxLength = 1024;

    private const int HeldBytes = 256 * 1024;
    private const int ArrayHeaderBytes = 24;
    private static readonly AgedPool<T[]>[] Classes = Build();

    /// <summary>An array of <paramref name="length"/> items, all default; old when one is ready.</summary>
    public static T[] Rent(int length) =>
        ClassOf(length) is { } sizeClass ? sizeClass.Rent() : new T[length];

    /// <summary>Takes back an array no one refers to any more (a set that moved to a larger one).</summary>
    public static void Return(T[] array) => ClassOf(array.Length)?.Return(array);

    /// <summary>How many arrays are ready and waiting (for tests).</summary>
    internal static (int Ready, int Waiting) Held(int length) => ClassOf(length)?.Held() ?? (0, 0);

    private static AgedPool<T[]>? ClassOf(int length) =>
        length is > 0 and <= MaxLength && BitOperations.IsPow2(length) ? Classes[BitOperations.Log2((uint)length)] : null;

    private static AgedPool<T[]>[] Build()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>()) // a guard: SortedArray never asks for these
        {
            throw new NotSupportedException($"{typeof(T)} holds references: the pool serves arrays of plain values");
        }

        var classes = new AgedPool<T[]>[BitOperations.Log2(MaxLength) + 1];
        for (var i = 0; i < classes.Length; i++)
        {
            var length = 1 << i;
            var cap = Math.Max(1, HeldBytes / ((length * Unsafe.SizeOf<T>()) + ArrayHeaderBytes));
            classes[i] = new AgedPool<T[]>(() => new T[length], cap, reset: array => array.AsSpan().Clear());
        }

        return classes;
    }
}
