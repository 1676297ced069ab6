namespace ProductOps.Storage.Tests;

public sealed class DedupFilterTests
{
    /// <summary>A "no" must always be right: every key added, through the segments the filter
    /// grows into, is a "maybe".</summary>
    [Fact]
    public void Add_KeysPastTheFirstSegment_EveryOneStillMaybe()
    {
        var filter = new DedupFilter(keys: 0, maxBytes: StorageOptions.MaxDedupFilterBytes);
        var keys = RandomKeys(seed: 1, count: 300_000);

        foreach (var (user, @event) in keys)
        {
            filter.Add(user, @event);
        }

        Assert.True(filter.Segments >= 3, $"{filter.Segments} segments");
        Assert.All(keys, k => Assert.True(filter.MayContain(k.User, k.Event)));
    }

    /// <summary>At 10 bits a key, about 1% of keys never added are a "maybe"; 3% leaves room for
    /// chance, far above what a broken hash (most keys in few blocks) would give.</summary>
    [Fact]
    public void MayContain_KeysNeverAdded_FewAreMaybe()
    {
        var filter = new DedupFilter(keys: 200_000, maxBytes: StorageOptions.MaxDedupFilterBytes);
        foreach (var (user, @event) in RandomKeys(seed: 2, count: 200_000))
        {
            filter.Add(user, @event);
        }

        var others = RandomKeys(seed: 3, count: 200_000);
        var maybe = others.Count(k => filter.MayContain(k.User, k.Event));

        Assert.True(maybe < others.Length * 3 / 100, $"{maybe} of {others.Length} keys never added were a maybe");
        Assert.Equal(1, filter.Segments);
    }

    /// <summary>Past its cap it cannot hold another key, so it says "maybe" to everything from
    /// then on, and its memory stays within the cap.</summary>
    [Fact]
    public void Add_PastTheCap_FullAndEverythingMaybe()
    {
        const long Cap = 256 * 1024;
        var filter = new DedupFilter(keys: 0, maxBytes: Cap);
        var keys = RandomKeys(seed: 4, count: 400_000);
        var added = 0;
        while (!filter.Full)
        {
            filter.Add(keys[added].User, keys[added].Event);
            added++;
        }

        Assert.InRange(added, 150_000, 220_000); // ~209,000 keys fit in 256 KiB at 10 bits
        Assert.True(filter.Bytes <= Cap, $"{filter.Bytes} bytes");
        Assert.All(RandomKeys(seed: 5, count: 1_000), k => Assert.True(filter.MayContain(k.User, k.Event)));
    }

    [Fact]
    public void New_CapBelowOneSegment_FullFromTheStart()
    {
        var filter = new DedupFilter(keys: 1_000, maxBytes: 4096);

        Assert.True(filter.Full);
        Assert.True(filter.MayContain(1, 2));
    }

    private static (long User, long Event)[] RandomKeys(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (random.NextInt64(), random.NextInt64())).ToArray();
    }
}
