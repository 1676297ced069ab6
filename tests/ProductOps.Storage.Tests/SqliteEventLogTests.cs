using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using ProductOps.Domain;

namespace ProductOps.Storage.Tests;

public sealed class SqliteEventLogTests : IDisposable
{
    private const int Partition = 3;
    private readonly string _dataDir = Directory.CreateTempSubdirectory("productops-log-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task Append_NewAndRepeatedEvents_GapFreeSeqAndDuplicatesReported()
    {
        using var log = Open();
        var first = await log.AppendAsync(Partition, 0, [Event("u1", "a"), Event("u1", "b"), Event("u1", "a")], 1000);
        var second = await log.AppendAsync(Partition, first.Head, [Event("u1", "b"), Event("u2", "b"), Event("u1", "c")], 2000);

        Assert.Equal([false, false, true], first.Duplicate);
        Assert.Equal([true, false, false], second.Duplicate);
        Assert.Equal(4, second.Head);
        var all = await log.ReadAsync(Partition, 0, 100);
        Assert.Equal([1L, 2, 3, 4], all.Select(e => e.Seq));
        Assert.Equal(["u1/a", "u1/b", "u2/b", "u1/c"], all.Select(e => $"{e.Event.UserId}/{e.Event.EventId}"));
    }

    [Fact]
    public async Task Append_StaleHead_FailsAndWritesNothing()
    {
        using var log = Open();
        await log.AppendAsync(Partition, 0, [Event("u1", "a")], 1000);

        await Assert.ThrowsAsync<LogFencedException>(() => log.AppendAsync(Partition, 0, [Event("u1", "b")], 2000));

        Assert.Equal(1, await log.GetHeadAsync(Partition));
    }

    [Theory]
    [InlineData(16_384)] // the keys stay in memory
    [InlineData(2)] // the keys are merged into the index between commits
    public async Task Append_EventKeysCollide_DistinctEventsKeptAndRetriesStillDuplicates(int mergeEvents)
    {
        // Every event id hashes to the same unsalted key: each insert after the first collides.
        using var log = Open(static (id, salt) => salt == 0 ? 42 : EventKeys.EventKey(id, salt), mergeEvents);
        var events = new[] { Event("u1", "a"), Event("u1", "b"), Event("u1", "c") };

        var first = await log.AppendAsync(Partition, 0, events, 1000);
        var retry = await log.AppendAsync(Partition, first.Head, events, 2000);
        var more = await log.AppendAsync(Partition, retry.Head, [Event("u1", "d"), Event("u1", "a")], 3000);

        Assert.All(first.Duplicate, d => Assert.False(d));
        Assert.All(retry.Duplicate, d => Assert.True(d));
        Assert.Equal([false, true], more.Duplicate);
        Assert.Equal(4, await log.GetHeadAsync(Partition));
        Assert.Equal(["a", "b", "c", "d"], (await log.ReadUserAsync(Partition, "acme", "u1", 0)).Select(e => e.Event.EventId));
    }

    /// <summary>Random batches with retries and ids shared between users, against a plain model
    /// of what was accepted: every duplicate flag, and every user's events read back from any
    /// seq, whether their keys are still in memory, merged into the index, or both in turn.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(16_384)]
    public async Task Append_RandomBatchesWithRetries_MatchTheModelAcrossMerges(int mergeEvents)
    {
        using var log = Open(mergeEvents: mergeEvents);
        var random = new Random(mergeEvents);
        var accepted = new List<TrackedEvent>();
        var seen = new HashSet<(string, string)>();
        var sent = new List<TrackedEvent>();
        for (var round = 0; round < 120; round++)
        {
            var batch = new List<TrackedEvent>();
            for (var i = random.Next(1, 12); i > 0; i--)
            {
                batch.Add(sent.Count > 0 && random.Next(4) == 0
                    ? sent[random.Next(sent.Count)]
                    : Event($"u{random.Next(8)}", $"e{random.Next(400)}"));
            }

            var outcome = await log.AppendAsync(Partition, accepted.Count, batch, 1000 + round);

            for (var i = 0; i < batch.Count; i++)
            {
                var isNew = seen.Add((batch[i].UserId, batch[i].EventId));
                Assert.Equal(!isNew, outcome.Duplicate[i]);
                if (isNew)
                {
                    accepted.Add(batch[i]);
                }
            }

            sent.AddRange(batch);
            Assert.Equal(accepted.Count, outcome.Head);
        }

        for (var user = 0; user < 8; user++)
        {
            var afterSeq = random.Next(accepted.Count);
            var expected = accepted.Select((e, i) => (Seq: i + 1L, e.UserId, e.EventId))
                .Where(e => e.UserId == $"u{user}" && e.Seq > afterSeq).ToList();
            var read = await log.ReadUserAsync(Partition, "acme", $"u{user}", afterSeq);
            Assert.Equal(expected.Select(e => (e.Seq, e.EventId)), read.Select(e => (e.Seq, e.Event.EventId)));
        }
    }

    /// <summary>Two writers on one file, as when a partition moves between silos that share the
    /// folder: each sees what the other committed, for dedup and for a user's catch-up.</summary>
    [Fact]
    public async Task Append_TwoLogsTakeTurnsOnOneFile_EachSeesTheOthersEvents()
    {
        using var first = Open(mergeEvents: 3);
        using var second = Open(mergeEvents: 3);
        var a = await first.AppendAsync(Partition, 0, [Event("u1", "a"), Event("u1", "b"), Event("u1", "c"), Event("u1", "d")], 1000);
        await first.AppendAsync(Partition, a.Head, [Event("u1", "e")], 1001); // merged a-d; e in memory only

        var b = await second.AppendAsync(Partition, await second.GetHeadAsync(Partition), [Event("u1", "e"), Event("u1", "a"), Event("u1", "f")], 2000);
        Assert.Equal([true, true, false], b.Duplicate);
        Assert.Equal(["a", "b", "c", "d", "e", "f"], (await first.ReadUserAsync(Partition, "acme", "u1", 0)).Select(e => e.Event.EventId));

        // The first writer's stale head is fenced; at the current head it sees the second's event.
        await Assert.ThrowsAsync<LogFencedException>(() => first.AppendAsync(Partition, 5, [Event("u1", "g")], 3000));
        var c = await first.AppendAsync(Partition, 6, [Event("u1", "f"), Event("u1", "g")], 3001);
        Assert.Equal([true, false], c.Duplicate);
        Assert.Equal(["f", "g"], (await second.ReadUserAsync(Partition, "acme", "u1", 5)).Select(e => e.Event.EventId));
    }

    /// <summary>A partition file written before the dedup table existed (a unique index on the
    /// events) is converted when opened: retries of its events are still duplicates.</summary>
    [Fact]
    public async Task Open_FileOfTheEarlierLayout_ConvertedAndItsEventsStillDuplicates()
    {
        Directory.CreateDirectory(Path.Combine(_dataDir, "log"));
        using (var old = new SqliteConnection($"Data Source={Path.Combine(_dataDir, "log", $"partition-{Partition:D4}.db")};Pooling=False"))
        {
            old.Open();
            using var command = old.CreateCommand();
            command.CommandText = """
                CREATE TABLE events (seq INTEGER PRIMARY KEY, user_key INTEGER NOT NULL, event_key INTEGER NOT NULL,
                    committed_at INTEGER NOT NULL, tenant TEXT NOT NULL, user_id TEXT NOT NULL, event_id TEXT NOT NULL,
                    name TEXT NOT NULL, feature TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
                    session_id TEXT NOT NULL, properties TEXT NULL);
                CREATE UNIQUE INDEX events_dedup ON events (user_key, event_key);
                """;
            command.ExecuteNonQuery();
            foreach (var (seq, id) in new[] { (1L, "a"), (2L, "b") })
            {
                command.CommandText = $"""
                    INSERT INTO events VALUES ({seq}, {EventKeys.UserKey("acme", "u1")}, {EventKeys.EventKey(id, 0)}, 1000,
                        'acme', 'u1', '{id}', 'feature_used', 'search', 1700000000000, 1, 's1', NULL)
                    """;
                command.ExecuteNonQuery();
            }
        }

        using var log = Open();
        var retry = await log.AppendAsync(Partition, 2, [Event("u1", "b"), Event("u1", "c")], 2000);

        Assert.Equal([true, false], retry.Duplicate);
        Assert.Equal(["a", "b", "c"], (await log.ReadUserAsync(Partition, "acme", "u1", 0)).Select(e => e.Event.EventId));
    }

    [Fact]
    public async Task ReadUser_AfterSeq_ReturnsOnlyThatUsersLaterEventsInOrder()
    {
        using var log = Open();
        await log.AppendAsync(Partition, 0, [Event("u1", "a"), Event("u2", "a"), Event("u1", "b"), Event("u1", "c")], 1000);

        var events = await log.ReadUserAsync(Partition, "acme", "u1", afterSeq: 1);

        Assert.Equal([3L, 4], events.Select(e => e.Seq));
        Assert.All(events, e => Assert.Equal("u1", e.Event.UserId));
    }

    [Fact]
    public async Task Reopen_SameFolder_EverythingCommittedIsThere()
    {
        var properties = new Dictionary<string, string> { ["plan"] = "pro" };
        using (var log = Open())
        {
            await log.AppendAsync(Partition, 0, [Event("u1", "a") with { Properties = properties, Value = 2.5 }], 1000);
        }

        using var reopened = Open();
        var stored = Assert.Single(await reopened.ReadAsync(Partition, 0, 10));
        Assert.Equal(1000, stored.CommittedAtMs);
        Assert.Equal(2.5, stored.Event.Value);
        Assert.Equal("pro", stored.Event.Properties!["plan"]);
        Assert.True((await reopened.AppendAsync(Partition, 1, [Event("u1", "a")], 2000)).Duplicate[0]);
    }

    [Fact]
    public async Task Append_TextBeyondAsciiAndEmpty_ReadBackExactlyAndRetriesStillDuplicates()
    {
        // Text is bound as UTF-8 encoded by the writer: surrogate pairs, other scripts and an
        // empty value must come back as they went in, and the dedup check compares them.
        var e = new TrackedEvent("acme", "ürsula-😀", "é-1", "ввод", "検索", 1_700_000_000_000, 1, "", new Dictionary<string, string> { ["ключ"] = "值 😀" });
        using var log = Open();
        await log.AppendAsync(Partition, 0, [e], 1000);

        var retry = await log.AppendAsync(Partition, 1, [e with { Value = 2 }], 2000);

        Assert.True(retry.Duplicate[0]);
        var stored = Assert.Single(await log.ReadUserAsync(Partition, "acme", "ürsula-😀", 0)).Event;
        Assert.Equal((e.UserId, e.EventId, e.Name, e.Feature, e.SessionId), (stored.UserId, stored.EventId, stored.Name, stored.Feature, stored.SessionId));
        Assert.Equal("值 😀", stored.Properties!["ключ"]);
    }

    [Fact]
    public async Task Append_RowsOfVeryDifferentLengths_EachReadBackExactly()
    {
        // The writer's text buffer grows for a long row; the rows before and after it, and
        // those of the same commit, keep their own text.
        var longText = string.Concat(Enumerable.Repeat("значение-😀-", 1_500)); // ~18,000 UTF-16 units
        TrackedEvent Row(string user, string id, string? property) =>
            new("acme", user, id, "feature_used", "search", 1_700_000_000_000, 1, "s-" + id,
                property is null ? null : new Dictionary<string, string> { ["note"] = property });
        var rows = new[]
        {
            Row("u1", "short-1", null), Row("u2", "long", longText), Row("u3", "short-2", null),
            Row("u4", "short-3", "ü"), Row("u5", "short-4", null),
        };
        using var log = Open();

        await log.AppendAsync(Partition, 0, rows[..3], 1000);
        await log.AppendAsync(Partition, 3, rows[3..], 1000);

        foreach (var row in rows)
        {
            var stored = Assert.Single(await log.ReadUserAsync(Partition, "acme", row.UserId, 0)).Event;
            Assert.Equal((row.EventId, row.SessionId, row.Feature), (stored.EventId, stored.SessionId, stored.Feature));
            Assert.Equal(row.Properties?["note"], stored.Properties?["note"]);
        }
    }

    /// <summary>A commit larger than an insert statement's rows: the rows go in several to a
    /// statement and the rest one by one, duplicates in between leave no gap, and every row reads
    /// back as it went in, each with its own text, numbers and properties.</summary>
    [Fact]
    public async Task Append_CommitOfManyStatementsWorth_EveryRowReadBackExactly()
    {
        var count = (2 * EventRows.RowsPerStatement) + 5;
        var events = Enumerable.Range(0, count).Select(i => new TrackedEvent(
            "acme", $"u{i % 7}", $"e{i}", $"name-{i}", i == 20 ? string.Concat(Enumerable.Repeat("функция-😀", 900)) : $"feature-{i}",
            1_700_000_000_000 + i, i * 0.5, $"s{i}", i % 3 == 0 ? new Dictionary<string, string> { ["n"] = $"{i}" } : null)).ToList();
        var batch = new List<TrackedEvent>(events);
        batch.Insert(10, events[3]); // a retry within the commit, inside the first statement's rows
        batch.Insert(30, events[0]);
        using var log = Open();

        var outcome = await log.AppendAsync(Partition, 0, batch, 1000);

        Assert.Equal(count, outcome.Head);
        Assert.Equal(2, outcome.Duplicate.Count(d => d));
        var stored = await log.ReadAsync(Partition, 0, 1000);
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), stored.Select(e => e.Seq));
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(events[i] with { Properties = null }, stored[i].Event with { Properties = null });
            Assert.Equal(events[i].Properties?["n"], stored[i].Event.Properties?["n"]);
        }
    }

    [Fact]
    public async Task Append_AFirstRowWhoseTextIsAllEmpty_StoresEmptyTextNotNull()
    {
        var e = new TrackedEvent("", "", "", "", "", 1_700_000_000_000, 1, "", null);
        using var log = Open();

        await log.AppendAsync(Partition, 0, [e], 1000);

        var stored = Assert.Single(await log.ReadUserAsync(Partition, "", "", 0)).Event;
        Assert.Equal(e, stored with { Properties = e.Properties });
    }

    /// <summary>Each partition keeps its write connection's page cache for good: the setting bounds it.</summary>
    [Fact]
    public void Writer_PageCacheAsConfigured()
    {
        using (var log = Open())
        {
            Assert.Equal(-new StorageOptions().LogWriterPageCacheKiB, log.WriterOf(Partition).PageCacheSize);
        }

        using var configured = new SqliteEventLog(Options.Create(new StorageOptions { DataDir = _dataDir, LogWriterPageCacheKiB = 64 }));
        Assert.Equal(-64, configured.WriterOf(Partition).PageCacheSize);
    }

    private SqliteEventLog Open(Func<string, int, long>? eventKey = null, int mergeEvents = 16_384) =>
        new(Options.Create(new StorageOptions { DataDir = _dataDir, DedupMergeEvents = mergeEvents }), eventKey ?? EventKeys.EventKey);

    private static TrackedEvent Event(string user, string id) =>
        new("acme", user, id, "feature_used", "search", 1_700_000_000_000, 1, "s1", null);
}
