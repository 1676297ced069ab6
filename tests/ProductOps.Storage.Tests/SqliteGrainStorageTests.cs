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

    private SqliteGrainStorage Open() =>
        new(Options.Create(new StorageOptions { DataDir = _dataDir }), _services.GetRequiredService<Serializer>());
}
