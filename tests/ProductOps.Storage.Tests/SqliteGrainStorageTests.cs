using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;
using ProductOps.Domain;

namespace ProductOps.Storage.Tests;

public sealed class SqliteGrainStorageTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("productops-state-").FullName;
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task WriteThenRead_NewStorageOnSameFolder_StateAndEtagComeBack()
    {
        var id = GrainId.Create("feature", "acme/search");
        var written = new GrainState<CounterSet>(new CounterSet());
        written.State!.Add(Metric.FeatureTotalEvents, 0, 7);
        using (var storage = Open())
        {
            await storage.WriteStateAsync("feature", id, written);
        }

        using var reopened = Open();
        var read = new GrainState<CounterSet>();
        await reopened.ReadStateAsync("feature", id, read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(7, read.State!.Total(Metric.FeatureTotalEvents));
    }

    /// <summary>States are serialized into rented arrays that grow as they fill: one far larger
    /// than the first array comes back whole, and a smaller write after it is not padded.</summary>
    [Fact]
    public async Task Write_LargeThenSmallState_EachReadsBackExactly()
    {
        var id = GrainId.Create("feature", "acme/search");
        var large = new GrainState<CounterSet>(new CounterSet());
        for (var hour = 0; hour < 20_000; hour++)
        {
            large.State!.Add(Metric.FeatureTotalEvents, hour, hour + 1);
        }

        using var storage = Open();
        await storage.WriteStateAsync("feature", id, large);
        var readLarge = new GrainState<CounterSet>();
        await storage.ReadStateAsync("feature", id, readLarge);

        var small = new GrainState<CounterSet>(new CounterSet()) { ETag = large.ETag };
        small.State!.Add(Metric.FeatureTotalEvents, 3, 5);
        await storage.WriteStateAsync("feature", id, small);
        var readSmall = new GrainState<CounterSet>();
        await storage.ReadStateAsync("feature", id, readSmall);

        Assert.All(Enumerable.Range(0, 20_000), hour => Assert.Equal(hour + 1, readLarge.State!.Get(Metric.FeatureTotalEvents, hour)));
        Assert.Equal(5, readSmall.State!.Get(Metric.FeatureTotalEvents, 3));
        Assert.Equal(0, readSmall.State!.Get(Metric.FeatureTotalEvents, 19_999));
    }

    [Fact]
    public async Task Write_StaleEtag_ThrowsAndKeepsNewerState()
    {
        using var storage = Open();
        var id = GrainId.Create("feature", "acme/search");
        var current = new GrainState<CounterSet>(new CounterSet());
        await storage.WriteStateAsync("feature", id, current);
        var stale = new GrainState<CounterSet>(new CounterSet()) { ETag = current.ETag };
        current.State!.Add(Metric.FeatureTotalEvents, 0, 1);
        await storage.WriteStateAsync("feature", id, current);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("feature", id, stale));

        var read = new GrainState<CounterSet>();
        await storage.ReadStateAsync("feature", id, read);
        Assert.Equal(1, read.State!.Total(Metric.FeatureTotalEvents));
    }

    [Fact]
    public async Task Read_MissingState_EmptyAndNotExisting()
    {
        using var storage = Open();
        var read = new GrainState<CounterSet>();

        await storage.ReadStateAsync("feature", GrainId.Create("feature", "acme/none"), read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Equal(0, read.State!.Count);
    }

    [Fact]
    public async Task ConcurrentWrites_ManyGrains_AllStoredWithTheirOwnVersions()
    {
        using var storage = Open();
        var states = Enumerable.Range(0, 300).Select(i => (Id: GrainId.Create("user", $"acme/u{i}"), State: new GrainState<CounterSet>(new CounterSet()))).ToList();
        for (var round = 1; round <= 3; round++)
        {
            foreach (var (_, state) in states)
            {
                state.State!.Add(Metric.FeatureTotalEvents, 0, 1);
            }

            // All at once: they share transactions, and each keeps its own version.
            await Task.WhenAll(states.Select(s => storage.WriteStateAsync("user", s.Id, s.State)));
        }

        using var reopened = Open();
        foreach (var (id, written) in states)
        {
            var read = new GrainState<CounterSet>();
            await reopened.ReadStateAsync("user", id, read);
            Assert.Equal("3", read.ETag);
            Assert.Equal(written.ETag, read.ETag);
            Assert.Equal(3, read.State!.Total(Metric.FeatureTotalEvents));
        }
    }

    [Fact]
    public async Task ConcurrentWrites_OneStale_OnlyThatOneFails()
    {
        using var storage = Open();
        var fresh = Enumerable.Range(0, 50).Select(i => (Id: GrainId.Create("user", $"acme/u{i}"), State: new GrainState<CounterSet>(new CounterSet()))).ToList();
        var contested = GrainId.Create("user", "acme/contested");
        var current = new GrainState<CounterSet>(new CounterSet());
        await storage.WriteStateAsync("user", contested, current);
        var stale = new GrainState<CounterSet>(new CounterSet()) { ETag = current.ETag };
        await storage.WriteStateAsync("user", contested, current);

        var writes = fresh.Select(s => storage.WriteStateAsync("user", s.Id, s.State)).ToList();
        var staleWrite = storage.WriteStateAsync("user", contested, stale);
        await Task.WhenAll(writes);

        await Assert.ThrowsAsync<InconsistentStateException>(() => staleWrite);
        var read = new GrainState<CounterSet>();
        await storage.ReadStateAsync("user", contested, read);
        Assert.Equal(current.ETag, read.ETag);
        Assert.All(fresh, s => Assert.Equal("1", s.State.ETag));
    }

    [Fact]
    public async Task Write_StateChangedWhileQueued_StoresTheStateAsItWasWhenAsked()
    {
        using var storage = Open();
        var id = GrainId.Create("feature", "acme/search");
        var state = new GrainState<CounterSet>(new CounterSet());
        state.State!.Add(Metric.FeatureTotalEvents, 0, 1);

        var write = storage.WriteStateAsync("feature", id, state);
        state.State.Add(Metric.FeatureTotalEvents, 0, 1); // a later change, not part of that write
        await write;

        var read = new GrainState<CounterSet>();
        await storage.ReadStateAsync("feature", id, read);
        Assert.Equal(1, read.State!.Total(Metric.FeatureTotalEvents));
    }

    [Fact]
    public async Task Clear_ThenRead_EmptyAndNotExisting()
    {
        using var storage = Open();
        var id = GrainId.Create("feature", "acme/search");
        var state = new GrainState<CounterSet>(new CounterSet());
        state.State!.Add(Metric.FeatureTotalEvents, 0, 1);
        await storage.WriteStateAsync("feature", id, state);

        await storage.ClearStateAsync("feature", id, state);

        var read = new GrainState<CounterSet>();
        await storage.ReadStateAsync("feature", id, read);
        Assert.False(read.RecordExists);
        Assert.Null(state.ETag);
    }

    /// <summary>A state file that goes bad under a running node: the failure names the file and
    /// what is wrong with it (SQLite's own message names neither), for reads and for writes.</summary>
    [Fact]
    public async Task ReadAndWrite_FileCorruptedWhileOpen_ThrowDataFileExceptionNamingTheFile()
    {
        using var storage = Open();
        var id = GrainId.Create("feature", "acme/search");
        var state = new GrainState<CounterSet>(new CounterSet());
        await storage.WriteStateAsync("feature", id, state);
        using (var checkpoint = new SqliteConnection($"Data Source={Path.Combine(_dataDir, "state.db")};Pooling=false"))
        {
            checkpoint.Open(); // moves what the WAL holds into the file, so reads go to the file's pages
            using var command = checkpoint.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            command.ExecuteNonQuery();
        }

        await using (var file = new FileStream(Path.Combine(_dataDir, "state.db"), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Write(new byte[4096].AsSpan()); // the header and the first page: no longer a database
        }

        var read = await Assert.ThrowsAsync<DataFileException>(() => storage.ReadStateAsync("feature", id, new GrainState<CounterSet>()));
        var write = await Assert.ThrowsAsync<DataFileException>(() => storage.WriteStateAsync("feature", GrainId.Create("feature", "acme/export"), new GrainState<CounterSet>(new CounterSet())));

        Assert.All(new[] { read, write }, failure =>
        {
            Assert.Contains(Path.Combine(_dataDir, "state.db"), failure.Message, StringComparison.Ordinal);
            Assert.Contains("corrupt", failure.Message, StringComparison.Ordinal);
        });
    }

    private SqliteGrainStorage Open() =>
        new(Options.Create(new StorageOptions { DataDir = _dataDir }), _services.GetRequiredService<Serializer>());
}
