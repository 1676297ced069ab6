namespace ProductOps.Storage.Tests;

public sealed class RecentEventKeysTests
{
    /// <summary>A merge's sorted keys live in memory the keys keep and fill again per merge: the
    /// second, larger merge must hold exactly its own keys, in order.</summary>
    [Fact]
    public void SortedByKey_SecondMergeLargerThanTheFirst_ExactlyItsKeysInIndexOrder()
    {
        var random = new Random(11);
        var keys = new RecentEventKeys();
        var first = Commit(keys, random, fromSeq: 1, count: 100);

        AssertSortedAndSame(first, keys.SortedByKey().ToArray());

        keys.DropThrough(50);
        var second = Commit(keys, random, fromSeq: 101, count: 300);
        var expected = first.Where(k => k.Seq > 50).Concat(second).ToList();

        AssertSortedAndSame(expected, keys.SortedByKey().ToArray());
    }

    private static List<(long UserKey, long EventKey, long Seq)> Commit(RecentEventKeys keys, Random random, long fromSeq, int count)
    {
        var added = Enumerable.Range(0, count)
            .Select(i => ((long)random.Next(0, 20), random.NextInt64(), fromSeq + i))
            .ToList();
        keys.AddCommitted(added, fromSeq + count - 1);
        return added;
    }

    private static void AssertSortedAndSame(
        IEnumerable<(long UserKey, long EventKey, long Seq)> expected, (long UserKey, long EventKey, long Seq)[] sorted)
    {
        Assert.Equal(expected.OrderBy(k => k.UserKey).ThenBy(k => k.EventKey), sorted);
    }
}
