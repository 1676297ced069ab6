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
        var first = Commit(keys, random, fromSeq: 1, count: 100, users: 20);

        AssertSortedAndSame(first, keys.SortedByKey().ToArray());

        keys.DropThrough(50);
        var second = Commit(keys, random, fromSeq: 101, count: 300, users: 20);
        var expected = first.Where(k => k.Seq > 50).Concat(second).ToList();

        AssertSortedAndSame(expected, keys.SortedByKey().ToArray());
    }

    /// <summary>The keys are hash tables of their own, grown and relinked as they fill and as
    /// merges drop their oldest: every lookup and every user's view must match a plain list of
    /// what was committed, through growth, drops and resets, with few users (long chains per
    /// user) and with many.</summary>
    [Theory]
    [InlineData(3, 1)]
    [InlineData(40, 2)]
    [InlineData(5_000, 3)]
    public void Lookups_ThroughGrowthDropsAndResets_MatchTheCommittedEvents(int users, int seed)
    {
        var random = new Random(seed);
        var keys = new RecentEventKeys();
        var held = new List<(long UserKey, long EventKey, long Seq)>();
        var seq = 0L;
        for (var round = 0; round < 60; round++)
        {
            var added = Commit(keys, random, fromSeq: seq + 1, count: random.Next(1, 400), users: users);
            held.AddRange(added);
            seq += added.Count;

            var action = random.Next(10);
            if (action < 2 && held.Count > 0)
            {
                var through = held[random.Next(held.Count)].Seq;
                keys.DropThrough(through);
                held.RemoveAll(k => k.Seq <= through);
                Assert.Equal(through, keys.MergedThrough);
            }
            else if (action == 2)
            {
                keys.Reset(seq, seq);
                held.Clear();
            }

            AssertSameAs(held, keys, random, users);
        }
    }

    private static void AssertSameAs(
        List<(long UserKey, long EventKey, long Seq)> held, RecentEventKeys keys, Random random, int users)
    {
        Assert.Equal(held.Count, keys.Count);
        foreach (var (userKey, eventKey, seq) in held)
        {
            Assert.True(keys.TryFind(userKey, eventKey, out var found));
            Assert.Equal(seq, found);
        }

        for (var i = 0; i < 50; i++)
        {
            Assert.False(keys.TryFind(random.Next(0, users), random.NextInt64(), out _));
        }

        for (var userKey = 0L; userKey < Math.Min(users, 60); userKey++)
        {
            var afterSeq = held.Count == 0 ? 0 : held[random.Next(held.Count)].Seq - 1;
            var expected = held.Where(k => k.UserKey == userKey && k.Seq > afterSeq).Select(k => k.Seq).ToList();
            Assert.Equal(expected, keys.ViewOfUser(userKey, afterSeq).Seqs);
        }
    }

    private static List<(long UserKey, long EventKey, long Seq)> Commit(
        RecentEventKeys keys, Random random, long fromSeq, int count, int users)
    {
        var added = Enumerable.Range(0, count)
            .Select(i => ((long)random.Next(0, users), random.NextInt64(), fromSeq + i))
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
