using Microsoft.Extensions.Options;
using ProductOps.Domain;

namespace ProductOps.Storage.Tests;

/// <summary>A partition file that cannot grow (a full disk, as SQLite's <c>max_page_count</c>
/// makes it): commits fail with nothing written, at any point of a commit, a merge or a move
/// between the index's levels, and once there is room again the writer goes on as if the
/// failures had never been, in memory and in the file.</summary>
public sealed class SqliteEventLogDiskFullTests : IDisposable
{
    private const int Partition = 5;
    private readonly string _dataDir = Directory.CreateTempSubdirectory("productops-full-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public async Task Append_DiskFullAtRandomCommits_NothingHalfWrittenAndRetriesMatchTheModel(int mergeEvents)
    {
        var random = new Random(mergeEvents);
        var accepted = new List<TrackedEvent>();
        var seen = new HashSet<(string, string)>();
        var sent = new List<TrackedEvent>();
        var failures = 0;
        using (var log = Open(mergeEvents))
        {
            var writer = log.WriterOf(Partition);
            for (var round = 0; round < 400; round++)
            {
                var batch = RandomBatch(random, sent);
                if (random.Next(3) == 0)
                {
                    writer.CapGrowth(random.Next(3));
                    try
                    {
                        await log.AppendAsync(Partition, accepted.Count, batch, 1000 + round);
                        Record(batch, seen, accepted, outcome: null); // it fit: read back below
                    }
                    catch (EventLogException e)
                    {
                        // Said so, naming the partition but not the path (the caller is told this).
                        Assert.Equal($"partition {Partition}'s log file: the disk is full", e.Cause);
                        Assert.Contains(Path.Combine(_dataDir, "log"), e.Message, StringComparison.Ordinal);
                        failures++;
                    }
                    finally
                    {
                        writer.CapGrowth(null);
                    }

                    Assert.Equal(accepted.Count, await log.GetHeadAsync(Partition));
                }

                // The client's retry (or a new batch): always with room.
                var outcome = await log.AppendAsync(Partition, accepted.Count, batch, 2000 + round);
                Record(batch, seen, accepted, outcome);
                sent.AddRange(batch);
                Assert.Equal(accepted.Count, outcome.Head);
            }

            Assert.True(failures > 20, $"only {failures} commits failed");
            await AssertLogHoldsAsync(log, accepted, sent);
        }

        // And the file itself, opened afresh: the same events, the same duplicates.
        using var reopened = Open(mergeEvents);
        await AssertLogHoldsAsync(reopened, accepted, sent);
    }

    /// <summary>Adds the batch's new events to the model; checks the duplicate flags when the
    /// log answered, else (a capped commit that fit) takes the log's word from the head.</summary>
    private static void Record(List<TrackedEvent> batch, HashSet<(string, string)> seen, List<TrackedEvent> accepted, AppendOutcome? outcome)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var isNew = seen.Add((batch[i].UserId, batch[i].EventId));
            if (outcome is not null)
            {
                Assert.Equal(!isNew, outcome.Duplicate[i]);
            }

            if (isNew)
            {
                accepted.Add(batch[i]);
            }
        }
    }

    private static async Task AssertLogHoldsAsync(SqliteEventLog log, List<TrackedEvent> accepted, List<TrackedEvent> sent)
    {
        Assert.Equal(accepted.Count, await log.GetHeadAsync(Partition));
        var all = await log.ReadAsync(Partition, 0, accepted.Count + 10);
        Assert.Equal(accepted.Select(e => (e.UserId, e.EventId)), all.Select(e => (e.Event.UserId, e.Event.EventId)));
        for (var user = 0; user < 8; user++)
        {
            var expected = accepted.Select((e, i) => (Seq: i + 1L, e.UserId, e.EventId)).Where(e => e.UserId == $"u{user}").ToList();
            var read = await log.ReadUserAsync(Partition, "acme", $"u{user}", 0);
            Assert.Equal(expected.Select(e => (e.Seq, e.EventId)), read.Select(e => (e.Seq, e.Event.EventId)));
        }

        // Every event sent so far is a duplicate now, whether its key is in memory or in the index.
        var retry = await log.AppendAsync(Partition, accepted.Count, sent.DistinctBy(e => (e.UserId, e.EventId)).ToList(), 9000);
        Assert.All(retry.Duplicate, Assert.True);
    }

    private static List<TrackedEvent> RandomBatch(Random random, List<TrackedEvent> sent)
    {
        var batch = new List<TrackedEvent>();
        for (var i = random.Next(1, 40); i > 0; i--)
        {
            batch.Add(sent.Count > 0 && random.Next(5) == 0
                ? sent[random.Next(sent.Count)]
                : Event($"u{random.Next(8)}", $"e{random.Next(100_000)}"));
        }

        return batch;
    }

    private SqliteEventLog Open(int mergeEvents) =>
        new(Options.Create(new StorageOptions { DataDir = _dataDir, DedupMergeEvents = mergeEvents, DedupFilterMaxBytes = StorageOptions.MinDedupFilterBytes }));

    private static TrackedEvent Event(string user, string id) =>
        new("acme", user, id, "feature_used", "search", 1_700_000_000_000, 1, "s1", new Dictionary<string, string> { ["plan"] = new string('p', 300) });
}
