using ProductOps.Domain;

namespace ProductOps.Storage.Tests;

/// <summary>A partition writer's own connection has no SQLite mutex: once closed, it must refuse
/// every call rather than step freed statements.</summary>
public sealed class SqlitePartitionWriterTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("productops-writer-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public void Disposed_EveryCallRefusedAndASecondDisposeDoesNothing()
    {
        var writer = Open();
        var outcome = writer.Append(0, 0, [Event("a")], 1000);
        writer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => writer.Append(0, outcome.Head, [Event("b")], 2000));
        Assert.Throws<ObjectDisposedException>(() => writer.Head());
        Assert.Throws<ObjectDisposedException>(writer.Refresh);
        writer.Dispose();

        using var reopened = Open();
        Assert.Equal(1, reopened.Head());
        Assert.True(reopened.Append(0, 1, [Event("a")], 3000).Duplicate[0]);
    }

    [Fact]
    public void PreparedStatement_Disposed_RefusesCalls()
    {
        var db = SqliteDatabase.OpenForOneThread(Path.Combine(_dataDir, "plain.db"), "Normal");
        try
        {
            var statement = new PreparedStatement(db, "SELECT ?1");
            statement.Bind(1, 7L);
            Assert.Equal(7, statement.ReadInt64(none: 0));
            statement.Dispose();

            Assert.Throws<ObjectDisposedException>(() => statement.Bind(1, 8L));
            Assert.Throws<ObjectDisposedException>(() => statement.ReadInt64(none: 0));
        }
        finally
        {
            db.Dispose();
        }
    }

    /// <summary>With the filter read from the index on reopening, new events skip the index
    /// probe (about 1% still probe, the filter's false "maybe"s), and retries of events that are
    /// only in the index are still duplicates.</summary>
    [Fact]
    public async Task Filter_ReadOnReopen_NewEventsSkipTheProbeAndRetriesStillDuplicates()
    {
        var earlier = Events("old", 2_000);
        using (var writer = Open(mergeEvents: 64, Filter()))
        {
            AppendInBatches(writer, earlier);
        }

        using var reopened = Open(mergeEvents: 64, Filter());
        await FilterRead(reopened);
        Assert.True(reopened.FilterReady);

        AppendInBatches(reopened, Events("new", 1_000));
        Assert.InRange(reopened.IndexProbes, 0, 50);

        var retries = AppendInBatches(reopened, earlier);
        Assert.All(retries, Assert.True);
        Assert.Equal(3_000, reopened.Head());
    }

    /// <summary>What the probes count: without a filter, every new event probes the index once.</summary>
    [Fact]
    public void NoFilter_EveryNewEventProbesTheIndex()
    {
        using var writer = Open(mergeEvents: 64);

        AppendInBatches(writer, Events("new", 1_000));

        Assert.Equal(1_000, writer.IndexProbes);
        Assert.False(writer.FilterReady);
    }

    /// <summary>Events committed while the filter reads the index, some merged before it is
    /// ready and some after: the filter takes them on, so once they are all merged (and no longer
    /// in the recent keys) their retries are still duplicates.</summary>
    [Fact]
    public async Task Filter_EventsCommittedWhileItReads_RetriesStillDuplicates()
    {
        using (var writer = Open(mergeEvents: 64))
        {
            AppendInBatches(writer, Events("before", 500));
        }

        using var reading = new ManualResetEventSlim();
        using var writer2 = Open(mergeEvents: 64, Filter() with { ReadStarting = () => reading.Wait() });
        var during = Events("during", 1_000);
        try
        {
            AppendInBatches(writer2, during);
            Assert.False(writer2.FilterReady);
        }
        finally
        {
            reading.Set(); // else a failed assertion would leave Dispose waiting for the reading
        }

        await FilterRead(writer2);
        Assert.True(writer2.FilterReady);

        AppendInBatches(writer2, Events("after", 1_000)); // merges what "during" left recent
        Assert.All(AppendInBatches(writer2, during), Assert.True);
        Assert.All(AppendInBatches(writer2, Events("before", 500)), Assert.True);
    }

    /// <summary>A writer opening a file whose last writer left keys unmerged (it crashed, or is
    /// still open): the filter takes on those recent keys too, so once this writer has merged them
    /// (and no longer holds them as recent) their retries are still duplicates.</summary>
    [Fact]
    public async Task Filter_FileWithUnmergedKeys_ThoseKeysStillDuplicatesOnceMerged()
    {
        using var earlier = Open(mergeEvents: 16_384); // never merges; stays open, so nothing is merged at close
        var unmerged = Events("unmerged", 500);
        AppendInBatches(earlier, unmerged);

        using var writer = Open(mergeEvents: 64, Filter());
        await FilterRead(writer);
        Assert.True(writer.FilterReady);
        AppendInBatches(writer, Events("later", 1_000)); // merges all 500 and drops them from the recent keys
        Assert.True(writer.Recent.MergedThrough > 500, $"merged through {writer.Recent.MergedThrough}");

        Assert.All(AppendInBatches(writer, unmerged), Assert.True);
    }

    /// <summary>Another writer on the file merged keys this writer's filter never held: the
    /// reload on its next commit lets the filter go and reads it again.</summary>
    [Fact]
    public async Task Filter_AnotherWriterMergedKeys_ReadAgainAndItsEventsStillDuplicates()
    {
        using var first = Open(mergeEvents: 8, Filter());
        await FilterRead(first);
        AppendInBatches(first, Events("first", 20));

        var others = Events("second", 200);
        using (var second = Open(mergeEvents: 8))
        {
            AppendInBatches(second, others);
        }

        Assert.All(AppendInBatches(first, others), Assert.True);
        await FilterRead(first);
        Assert.True(first.FilterReady);
        Assert.All(AppendInBatches(first, others), Assert.True);
        Assert.Equal(220, first.Head());
    }

    /// <summary>A filter past its cap is let go: every new event probes the index again, and
    /// retries are still duplicates.</summary>
    [Fact]
    public async Task Filter_PastItsCap_LetGoAndEveryEventProbedAgain()
    {
        using var writer = Open(mergeEvents: 1_024, Filter() with { MaxBytes = OneSegment });
        await FilterRead(writer);
        var events = Events("e", (int)DedupFilter.MinKeys + 1_000);

        AppendInBatches(writer, events.Take((int)DedupFilter.MinKeys - 1_000).ToList());
        Assert.True(writer.FilterReady);
        AppendInBatches(writer, events.Skip((int)DedupFilter.MinKeys - 1_000).ToList());
        Assert.False(writer.FilterReady);
        var probes = writer.IndexProbes;
        AppendInBatches(writer, Events("late", 100));

        Assert.Equal(probes + 100, writer.IndexProbes);
        Assert.All(AppendInBatches(writer, events), Assert.True);
    }

    /// <summary>On reopening, an index with more keys than the cap allows fills the filter before
    /// it is read through: the reading ends (keeping nothing for a filter that will never be
    /// ready), and every event is probed.</summary>
    [Fact]
    public async Task Filter_IndexLargerThanTheCap_ReadingEndsAndEveryEventProbed()
    {
        var events = Events("e", (int)DedupFilter.MinKeys + 1_000);
        using (var writer = Open(mergeEvents: 1_024))
        {
            AppendInBatches(writer, events);
        }

        using var reopened = Open(mergeEvents: 1_024, Filter() with { MaxBytes = OneSegment });
        await FilterRead(reopened);

        Assert.False(reopened.FilterReady);
        Assert.Null(reopened.FilterReading);
        AppendInBatches(reopened, Events("late", 100));
        Assert.Equal(100, reopened.IndexProbes);
        Assert.All(AppendInBatches(reopened, events.TakeLast(200).ToList()), Assert.True);
    }

    /// <summary>A commit that fails after a full insert statement, with rows still waiting for
    /// the next, writes nothing; the same batch then commits whole, with none of the failed
    /// commit's rows left over.</summary>
    [Fact]
    public void Append_FailsAfterAFullInsertStatement_NothingWrittenAndTheRetryCommitsWhole()
    {
        var batch = Events("e", EventRows.RowsPerStatement + 5);
        using var writer = Open(mergeEvents: 2);
        var db = SqliteDatabase.OpenForOneThread(PathOfPartition, "Normal");
        try
        {
            var failing = batch[EventRows.RowsPerStatement + 3].EventId; // among the rows inserted one by one
            SqliteDatabase.Execute(db, $"CREATE TRIGGER fail BEFORE INSERT ON events WHEN NEW.event_id = '{failing}' BEGIN SELECT RAISE(ABORT, 'refused'); END");
            Assert.ThrowsAny<Exception>(() => writer.Append(0, 0, batch, 1000));
            Assert.Equal(0, writer.Head());

            SqliteDatabase.Execute(db, "DROP TRIGGER fail");
            var outcome = writer.Append(0, 0, batch, 2000);

            Assert.Equal(batch.Count, outcome.Head);
            Assert.All(outcome.Duplicate, Assert.False);
            using var ids = new PreparedStatement(db, "SELECT group_concat(event_id, ',') FROM (SELECT event_id FROM events ORDER BY seq)");
            Assert.True(ids.Step());
            Assert.Equal(string.Join(',', batch.Select(e => e.EventId)), SQLitePCL.raw.sqlite3_column_text(ids.Statement, 0).utf8_to_string());
            ids.Reset();
        }
        finally
        {
            db.Dispose();
        }
    }

    private const long OneSegment = DedupFilter.MinKeys * DedupFilter.BitsPerKey / 8;

    private static Task FilterRead(SqlitePartitionWriter writer) => writer.FilterReading ?? Task.CompletedTask;

    private SqlitePartitionWriter Open(int mergeEvents = 16_384, DedupFilterSource? filter = null) =>
        new(SqliteDatabase.OpenForOneThread(PathOfPartition, "Normal"), EventKeys.EventKey, mergeEvents, filter);

    private DedupFilterSource Filter() =>
        new(StorageOptions.MinDedupFilterBytes, () => SqliteDatabase.OpenForOneThread(PathOfPartition, "Normal"));

    private string PathOfPartition => Path.Combine(_dataDir, "partition.db");

    /// <summary>Appends in batches of 100 at the writer's head; returns every event's duplicate flag.</summary>
    private static List<bool> AppendInBatches(SqlitePartitionWriter writer, IReadOnlyList<TrackedEvent> events)
    {
        var duplicate = new List<bool>();
        foreach (var batch in events.Chunk(100))
        {
            duplicate.AddRange(writer.Append(0, writer.Head(), batch, 1000).Duplicate);
        }

        return duplicate;
    }

    private static List<TrackedEvent> Events(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => Event($"{prefix}-{i}") with { UserId = $"u{i % 37}" }).ToList();

    private static TrackedEvent Event(string id) =>
        new("acme", "u1", id, "feature_used", "search", 1_700_000_000_000, 1, "s1", null);
}
