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

    private SqliteGrainStorage Open() =>
        new(Options.Create(new StorageOptions { DataDir = _dataDir }), _services.GetRequiredService<Serializer>());
}
