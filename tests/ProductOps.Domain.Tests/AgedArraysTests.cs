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
    public void SortedSet_GrowingThroughReusedArrays_KeepsEveryItemInOrder()
    {
        // Two sets grow side by side; each gives its outgrown arrays back, and the other may
        // take them: neither may see the other's items.
        var (evens, odds) = (SortedInts.Of([]), SortedInts.Of([]));
        for (var i = 0; i < 3_000; i++)
        {
            evens.Add(2 * ((i * 7919) % 3_000));
            odds.Add((2 * ((i * 104_729) % 3_000)) + 1);
            if (i % 500 == 0)
            {
                GC.Collect(); // old arrays start coming back
            }
        }

        Assert.Equal(Enumerable.Range(0, 3_000).Select(i => 2 * i), evens.Items.ToArray());
        Assert.Equal(Enumerable.Range(0, 3_000).Select(i => (2 * i) + 1), odds.Items.ToArray());
    }

    private readonly record struct Ahead(int Value);

    private readonly record struct Ripening(int Value);

    private readonly record struct Returned(int Value);

    private readonly record struct Young(int Value);

    private readonly record struct Unserved(int Value);
}
