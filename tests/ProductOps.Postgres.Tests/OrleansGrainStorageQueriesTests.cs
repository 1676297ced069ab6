using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using ProductOps.Storage;
using ProductOps.Testing;

namespace ProductOps.Postgres.Tests;

/// <summary>Our grain state <c>OrleansQuery</c> rows, driven by Orleans' ADO.NET grain storage
/// in a silo on PostgreSQL: ETags follow the stored version, and a write or clear from a stale
/// read fails with <see cref="InconsistentStateException"/> instead of overwriting.</summary>
public sealed class OrleansGrainStorageQueriesTests
{
    private const string StateName = "storage-contract";

    [Fact]
    public async Task WriteAndClear_StaleOrConcurrentWriters_OnlyTheCurrentETagWins()
    {
        await using var db = await TestDatabase.CreateAsync("grain_storage");
        var cluster = await PostgresClusterFactory.StartAsync(db.ConnectionString, silos: 1);
        try
        {
            var storage = ((InProcessSiloHandle)cluster.Silos[0]).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StorageSiloBuilderExtensions.GrainStorageName);
            var grain = GrainId.Create("contract", "tenant/one");

            var first = await ReadAsync(storage, grain);
            Assert.Null(first.ETag);
            first.State = [1];
            await storage.WriteStateAsync(StateName, grain, first);
            var second = await ReadAsync(storage, grain);
            Assert.Equal([1], second.State);
            Assert.Equal(first.ETag, second.ETag);

            first.State = [2];
            await storage.WriteStateAsync(StateName, grain, first);
            second.State = [3];
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, second)); // read before the write above
            var never = new GrainState<List<int>>([4]);
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, never)); // a first write, but a row exists
            Assert.Equal([2], (await ReadAsync(storage, grain)).State);

            // Writers that all read the same version: exactly one may write.
            var racers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ReadAsync(storage, grain)));
            var won = await Task.WhenAll(racers.Select(async (racer, i) =>
            {
                racer.State = [10 + i];
                try
                {
                    await storage.WriteStateAsync(StateName, grain, racer);
                    return true;
                }
                catch (InconsistentStateException)
                {
                    return false;
                }
            }));
            var winner = Array.IndexOf(won, true);
            Assert.Single(won, w => w);
            Assert.Equal([10 + winner], (await ReadAsync(storage, grain)).State);

            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grain, first));
            var current = racers[winner];
            await storage.ClearStateAsync(StateName, grain, current);
            var cleared = await ReadAsync(storage, grain);
            Assert.False(cleared.RecordExists);
            Assert.Equal(current.ETag, cleared.ETag);
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, racers[(winner + 1) % racers.Length]));
            cleared.State = [5];
            await storage.WriteStateAsync(StateName, grain, cleared);
            Assert.Equal([5], (await ReadAsync(storage, grain)).State);
            Assert.Equal(1L, await db.ScalarAsync($"SELECT count(*) FROM orleans_grain_state WHERE grain_type = '{StateName}'"));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static async Task<GrainState<List<int>>> ReadAsync(IGrainStorage storage, GrainId grain)
    {
        var state = new GrainState<List<int>>();
        await storage.ReadStateAsync(StateName, grain, state);
        return state;
    }
}
