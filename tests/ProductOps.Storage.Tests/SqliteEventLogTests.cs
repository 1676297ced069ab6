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

    [Fact]
    public async Task Append_EventKeysCollide_DistinctEventsKeptAndRetriesStillDuplicates()
    {
        // Every event id hashes to the same unsalted key: each insert after the first collides.
        using var log = Open(static (id, salt) => salt == 0 ? 42 : EventKeys.EventKey(id, salt));
        var events = new[] { Event("u1", "a"), Event("u1", "b"), Event("u1", "c") };

        var first = await log.AppendAsync(Partition, 0, events, 1000);
        var retry = await log.AppendAsync(Partition, first.Head, events, 2000);

        Assert.All(first.Duplicate, d => Assert.False(d));
        Assert.All(retry.Duplicate, d => Assert.True(d));
        Assert.Equal(3, await log.GetHeadAsync(Partition));
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

    private SqliteEventLog Open(Func<string, int, long>? eventKey = null) =>
        new(Options.Create(new StorageOptions { DataDir = _dataDir }), eventKey ?? EventKeys.EventKey);

    private static TrackedEvent Event(string user, string id) =>
        new("acme", user, id, "feature_used", "search", 1_700_000_000_000, 1, "s1", null);
}
