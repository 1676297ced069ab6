using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

public sealed class AgedPoolTests
{
    [Fact]
    public void Rent_WithNoneReady_MakesAheadOnlyUpToTheCap()
    {
        var made = 0;
        var pool = new AgedPool<object>(() => { made++; return new object(); }, cap: 2, reset: _ => { });
        var gen1Collections = GC.CollectionCount(1);

        for (var i = 0; i < 5; i++)
        {
            pool.Rent();
            Assert.True(pool.Held().Waiting <= 2);
        }

        Assert.True(made <= 5 + 2);
        if (GC.CollectionCount(1) == gen1Collections)
        {
            // Nothing could age meanwhile (other tests allocate and collect too): exactly two made ahead.
            Assert.Equal((0, 2), pool.Held());
            Assert.Equal(7, made);
        }
    }

    [Fact]
    public void Rent_OverManyCollections_NeverHandsOutOneObjectTwice()
    {
        var pool = new AgedPool<object>(() => new object(), cap: 4, reset: _ => { });
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var old = 0;

        for (var i = 0; i < 200; i++)
        {
            var item = pool.Rent();
            Assert.True(seen.Add(item), $"rent {i} handed out an object already handed out");
            old += GC.GetGeneration(item) == GC.MaxGeneration ? 1 : 0;
            if (i % 10 == 9)
            {
                GC.Collect();
            }
        }

        Assert.True(old > 0, "no rent found an object made ahead and aged");
    }
}
