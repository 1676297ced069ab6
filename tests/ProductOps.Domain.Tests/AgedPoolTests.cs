using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

public sealed class AgedPoolTests
{
    [Fact]
    public void Rent_WithNoneReady_MakesAheadOnlyUpToTheCap()
    {
        var made = 0;
        var pool = new AgedPool<object>(() => { made++; return new object(); }, cap: 2);
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
        var pool = new AgedPool<object>(() => new object(), cap: 4);
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

    [Fact]
    public void Return_ToAPoolThatOnlyHandsOut_Throws()
    {
        var pool = new AgedPool<object>(() => new object(), cap: 2);

        Assert.Throws<InvalidOperationException>(() => pool.Return(new object()));
    }

    [Fact]
    public void FirstUse_GivesAFreshRecordEachTime_OldOnceTheRecordsMadeAheadAreOld()
    {
        var records = new HashSet<FeatureUsage>(ReferenceEqualityComparer.Instance);
        var old = 0;
        for (var i = 0; i < 10; i++)
        {
            var usage = FeatureUsage.FirstUse("search", 1_000 + i);

            Assert.True(records.Add(usage));
            Assert.Equal(("search", 0L, 1_000L + i, 1_000L + i, 0), (usage.Name, usage.Count, usage.FirstUseMs, usage.LastUseMs, usage.Hours.Count));
            old += GC.GetGeneration(usage) == GC.MaxGeneration ? 1 : 0;
            GC.Collect(); // ages the records made ahead (by this test's rents and by other tests' users)
        }

        Assert.True(old > 0, "no first use took a record made ahead and aged: the records do not come from the pool");
    }
}
