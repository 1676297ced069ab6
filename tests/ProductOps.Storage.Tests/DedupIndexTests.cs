using SQLitePCL;

namespace ProductOps.Storage.Tests;

/// <summary>The log's on-disk dedup index in two levels: merges go into the young level once the
/// old one is large, moves take keys from one level to the other without losing or repeating any.</summary>
public sealed class DedupIndexTests : IDisposable
{
    private const int MergeEvents = 10;

    private readonly string _dataDir = Directory.CreateTempSubdirectory("productops-dedup-").FullName;
    private readonly sqlite3 _db;
    private readonly DedupIndex _index;

    public DedupIndexTests()
    {
        _db = SqliteDatabase.OpenForOneThread(Path.Combine(_dataDir, "partition.db"), "Normal");
        SqliteDatabase.Execute(_db, DedupIndex.Schema);
        _index = new DedupIndex(_db, MergeEvents);
        _index.Reload(mergedThrough: 0);
    }

    public void Dispose()
    {
        _index.Dispose();
        _db.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public void Write_SmallIndex_MergesGoStraightIntoTheOldLevel()
    {
        _index.Write(Keys(0, (DedupIndex.YoungFromMerges * MergeEvents) - 1));

        Assert.False(_index.UsesYoungLevel);
        Assert.Equal(0, Count("dedup_young"));
        _index.MoveSlice(rows: 100);
        Assert.False(_index.Moving);
    }

    /// <summary>Past the threshold, merges go into the young level; once it has gathered enough,
    /// a move takes it into the old level in slices, and every key stays findable throughout,
    /// with its seq, in exactly one level.</summary>
    [Fact]
    public void MoveSlice_YoungLevelDue_MovedInSlicesAndEveryKeyFoundThroughout()
    {
        var old = DedupIndex.YoungFromMerges * MergeEvents;
        _index.Write(Keys(0, old));
        Assert.True(_index.UsesYoungLevel);

        var young = Keys(old, 200); // due at sqrt(2 x 160 x 10) = 56
        _index.Write(young);
        Assert.Equal(200, Count("dedup_young"));
        var slices = 0;
        do
        {
            _index.MoveSlice(rows: 7);
            slices++;
            Assert.Equal(old + 200, Count("dedup") + Count("dedup_young"));
            AssertAllFound(old + 200);
        }
        while (_index.Moving);

        Assert.Equal(200 / 7 + 1, slices);
        Assert.Equal(0, Count("dedup_young"));
        Assert.Equal(old + 200, Count("dedup"));
        Assert.True(_index.UsesYoungLevel); // the old level only grows
    }

    /// <summary>Keys merged into the young level while a move is under way are moved by it if
    /// they sort after where it has got to, and stay young otherwise: none is lost.</summary>
    [Fact]
    public void MoveSlice_KeysMergedDuringAMove_NoneLost()
    {
        var old = FillBothLevels(young: 100);
        _index.MoveSlice(rows: 30);
        Assert.True(_index.Moving);

        _index.Write(Keys(old + 100, 50));
        while (_index.Moving)
        {
            _index.MoveSlice(rows: 30);
        }

        Assert.Equal(old + 150, Count("dedup") + Count("dedup_young"));
        AssertAllFound(old + 150);
    }

    /// <summary>A key merged again after a reload can be in both levels: a user's seqs list it once.</summary>
    [Fact]
    public void UserSeqs_KeyInBothLevels_ListedOnce()
    {
        SqliteDatabase.Execute(_db, """
            INSERT INTO dedup VALUES (5, 1, 10), (5, 2, 11);
            INSERT INTO dedup_young VALUES (5, 2, 11), (5, 3, 12), (6, 1, 13);
            """);
        using var seqs = new PreparedStatement(_db, DedupIndex.UserSeqs);
        seqs.Bind(1, 5L);
        var read = new List<long>();
        while (seqs.Step())
        {
            read.Add(seqs.ColumnInt64(0));
        }

        seqs.Reset();
        Assert.Equal([10L, 11L, 12L], read.Order());
    }

    /// <summary>The filter's reading finds the keys of both levels.</summary>
    [Fact]
    public void ReadAll_BothLevels_EveryKeyRead()
    {
        var old = FillBothLevels(young: 30);

        var read = new HashSet<(long, long)>();
        Assert.True(DedupIndex.ReadAll(_db, (userKey, eventKey) => read.Add((userKey, eventKey)), () => false));
        Assert.Equal(Keys(0, old + 30).ToArray().Select(k => (k.UserKey, k.EventKey)).ToHashSet(), read);
    }

    /// <summary>The filter's reading takes the young level in one snapshot and <c>dedup</c> in
    /// several: keys moved between them, after the reading has passed their place in
    /// <c>dedup</c>, are still read (from the young level). Read the other way round, they would
    /// be missed.</summary>
    [Fact]
    public void ReadAll_KeysMovedWhileItReads_EveryKeyRead()
    {
        const int Old = 70_000; // more than one slice of the reading
        _index.Write(Keys(0, Old));
        _index.Write(Keys(Old, 2_000));
        var read = new HashSet<(long, long)>();
        var stops = 0;

        var complete = DedupIndex.ReadAll(_db, (userKey, eventKey) => read.Add((userKey, eventKey)), () =>
        {
            if (++stops == 2) // after the first slice of dedup
            {
                do
                {
                    _index.MoveSlice(rows: 500);
                }
                while (_index.Moving);
            }

            return false;
        });

        Assert.True(complete);
        Assert.Equal(0, Count("dedup_young"));
        Assert.Equal(Old + 2_000, read.Count);
    }

    /// <summary>A reload halfway through a move (another writer committed) starts it over; it
    /// still moves every key, and the young level's count is read again from the table.</summary>
    [Fact]
    public void MoveSlice_ReloadHalfway_StartsOverAndLosesNone()
    {
        var old = FillBothLevels(young: 200);
        _index.MoveSlice(rows: 30);
        _index.MoveSlice(rows: 30);

        _index.Reload(mergedThrough: old + 200);

        Assert.False(_index.Moving);
        Assert.Equal(140, _index.YoungKeys);
        do
        {
            _index.MoveSlice(rows: 30);
        }
        while (_index.Moving);

        Assert.Equal(0, Count("dedup_young"));
        AssertAllFound(old + 200);
    }

    /// <summary>What a transaction that rolled back wrote or moved is not counted: the counts
    /// stay those of the tables, and a key merged again (already in a level) is not counted twice.</summary>
    [Fact]
    public void RolledBack_FailedTransactionsWritesAndMoves_NotCounted()
    {
        var old = FillBothLevels(young: 100);
        _index.Committed();

        SqliteDatabase.Execute(_db, "BEGIN IMMEDIATE");
        _index.Write(Keys(old + 100, 50));
        _index.MoveSlice(rows: 30);
        SqliteDatabase.Execute(_db, "ROLLBACK");
        _index.RolledBack();

        Assert.False(_index.Moving);
        Assert.Equal(100, _index.YoungKeys);
        _index.Write(Keys(old, 100)); // merged again, as after a reload
        Assert.Equal(Count("dedup_young"), _index.YoungKeys);
    }

    /// <summary>The old level just past the threshold, then <paramref name="young"/> keys into the
    /// young level; returns the old level's keys.</summary>
    private int FillBothLevels(int young)
    {
        var old = DedupIndex.YoungFromMerges * MergeEvents;
        _index.Write(Keys(0, old));
        _index.Write(Keys(old, young));
        return old;
    }

    private void AssertAllFound(int count)
    {
        foreach (var (userKey, eventKey, seq) in Keys(0, count))
        {
            Assert.Equal(seq, _index.Probe(userKey, eventKey));
        }
    }

    private long Count(string table)
    {
        using var count = new PreparedStatement(_db, $"SELECT COUNT(*) FROM {table}");
        return count.ReadInt64(none: -1);
    }

    /// <summary>Keys spread over the key space as hashes are, sorted as merges write them.</summary>
    private static ReadOnlySpan<(long UserKey, long EventKey, long Seq)> Keys(int from, int count) =>
        Enumerable.Range(from, count)
            .Select(i => (UserKey: (long)((ulong)i * 0x9E3779B97F4A7C15UL), EventKey: (long)i, Seq: i + 1L))
            .Order()
            .ToArray();
}
