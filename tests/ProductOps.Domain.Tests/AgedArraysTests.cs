using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

/// <summary>The pool is per item type and process-wide: each test uses an item type of its own,
/// so tests running at once never share one.</summary>
public sealed class AgedArraysTests
{
    [Fact]
    public void Rent_BeforeAnyIsOld_GivesANewArrayAndMakesOneAhead()
    {
        var array = AgedArrays<Ahead>.Rent(8);

        Assert.Equal(8, array.Length);
        Assert.Equal((0, 1), AgedArrays<Ahead>.Held(8));
    }

    [Fact]
    public void Rent_OnceTheArrayMadeAheadIsOld_HandsItOut()
    {
        AgedArrays<Ripening>.Rent(4);
        Assert.Equal((0, 1), AgedArrays<Ripening>.Held(4));
        GC.Collect();
        GC.Collect();

        var array = AgedArrays<Ripening>.Rent(4);

        Assert.Equal(GC.MaxGeneration, GC.GetGeneration(array));
        Assert.Equal((0, 0), AgedArrays<Ripening>.Held(4));
    }

    [Fact]
    public void Return_AnOldArray_ComesBackClearedOnTheNextRent()
    {
        var array = new Returned[16];
        array[3] = new Returned(42);
        GC.Collect();
        GC.Collect();

        AgedArrays<Returned>.Return(array);
        var rented = AgedArrays<Returned>.Rent(16);

        Assert.Same(array, rented);
        Assert.All(rented, item => Assert.Equal(default, item));
    }

    [Fact]
    public void Return_AYoungArray_IsNotKept()
    {
        AgedArrays<Young>.Return(new Young[2]);

        Assert.Equal((0, 0), AgedArrays<Young>.Held(2));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(AgedArrays<int>.MaxLength * 2)]
    public void Rent_ALengthThePoolDoesNotServe_IsAPlainNewArray(int length)
    {
        var array = AgedArrays<Unserved>.Rent(length);
        AgedArrays<Unserved>.Return(array);

        Assert.Equal(length, array.Length);
        Assert.Equal((0, 0), AgedArrays<Unserved>.Held(length));
    }

    [Fact]
    public void Rent_ItemsWithReferences_AreRefused()
    {
        var error = Assert.Throws<TypeInitializationException>(() => AgedArrays<string>.Rent(4));

        Assert.IsType<NotSupportedException>(error.InnerException);
    }

    [Fact]
    public void SortedSets_GrowingThroughReturnedArrays_TakeOldArraysAndKeepOnlyTheirOwnItems()
    {
        // Old arrays of every length the two sets will grow through, given to the pool first;
        // the arrays the sets outgrow are old too, so they go back and the other set takes them.
        var given = new HashSet<Item[]>(ReferenceEqualityComparer.Instance);
        for (var length = 4; length <= AgedArrays<Item>.MaxLength; length *= 2)
        {
            given.Add(new Item[length]);
            given.Add(new Item[length]);
        }

        GC.Collect();
        GC.Collect();
        foreach (var array in given)
        {
            AgedArrays<Item>.Return(array);
        }

        var (evens, evenCount, odds, oddCount) = (Array.Empty<Item>(), 0, Array.Empty<Item>(), 0);
        var taken = 0;
        for (var i = 0; i < 1_500; i++)
        {
            taken += Grew(ref evens, ref evenCount, new Item(2 * ((i * 7919) % 1_500)));
            taken += Grew(ref odds, ref oddCount, new Item((2 * ((i * 104_729) % 1_500)) + 1));
        }

        Assert.Equal(Enumerable.Range(0, 1_500).Select(i => new Item(2 * i)), evens[..evenCount]);
        Assert.Equal(Enumerable.Range(0, 1_500).Select(i => new Item((2 * i) + 1)), odds[..oddCount]);
        Assert.Equal(2 * 9, taken); // each set's growths to 4, 8, ..., 1,024 took a given array

        int Grew(ref Item[] items, ref int count, Item item)
        {
            var before = items;
            SortedArray.Add(ref items, ref count, item);
            return ReferenceEquals(before, items) || !given.Contains(items) ? 0 : 1;
        }
    }

    private readonly record struct Ahead(int Value);

    private readonly record struct Ripening(int Value);

    private readonly record struct Returned(int Value);

    private readonly record struct Young(int Value);

    private readonly record struct Unserved(int Value);

    private readonly record struct Item(int Value) : IComparable<Item>
    {
        public int CompareTo(Item other) => Value.CompareTo(other.Value);
    }
}
