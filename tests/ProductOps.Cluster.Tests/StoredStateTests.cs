using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;

namespace ProductOps.Cluster.Tests;

/// <summary>The user grain's state goes straight through the silo's grain storage: a new
/// activation reads what the last one wrote, and a write from a stale activation is refused.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StoredStateTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ReadAfterWrite_SeesTheState_AndAStaleWriterIsRefused()
    {
        var storage = ((InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost!.Services
            .GetRequiredKeyedService<IGrainStorage>(StorageSiloBuilderExtensions.GrainStorageName);
        var grain = fixture.Cluster.Client.GetGrain<IUserGrain>(GrainKeys.For("stored-state", "u1")).GetGrainId();

        var first = await ReadAsync(storage, grain);
        Assert.False(first.RecordExists);
        Assert.Equal(0, first.State.Watermark);

        first.State.Watermark = 42;
        await first.WriteAsync(storage, grain);
        var second = await ReadAsync(storage, grain);
        Assert.True(second.RecordExists);
        Assert.Equal(42, second.State.Watermark);

        second.State.Watermark = 43;
        await second.WriteAsync(storage, grain);
        first.State.Watermark = 99;
        await Assert.ThrowsAsync<InconsistentStateException>(() => first.WriteAsync(storage, grain));
        Assert.Equal(43, (await ReadAsync(storage, grain)).State.Watermark);
    }

    [Fact]
    public async Task ProviderFailure_ReachesTheCallerAsAnOrleansException()
    {
        var grain = fixture.Cluster.Client.GetGrain<IUserGrain>(GrainKeys.For("stored-state", "u2")).GetGrainId();
        var state = new StoredState<UserState>("user");

        var read = await Assert.ThrowsAsync<OrleansException>(() => state.ReadAsync(new FailingStorage(), grain));
        var write = await Assert.ThrowsAsync<OrleansException>(() => state.WriteAsync(new FailingStorage(), grain));

        Assert.IsType<IOException>(read.InnerException);
        Assert.Contains("read state 'user'", read.Message);
        Assert.IsType<IOException>(write.InnerException);
    }

    /// <summary>A storage provider whose database is gone, failing before and after an await.</summary>
    private sealed class FailingStorage : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            throw new IOException("disk gone");

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            await Task.Yield();
            throw new IOException("disk gone");
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            throw new IOException("disk gone");
    }

    /// <summary>A new activation's read.</summary>
    private static async Task<StoredState<UserState>> ReadAsync(IGrainStorage storage, GrainId grain)
    {
        var state = new StoredState<UserState>("user");
        await state.ReadAsync(storage, grain);
        return state;
    }
}
