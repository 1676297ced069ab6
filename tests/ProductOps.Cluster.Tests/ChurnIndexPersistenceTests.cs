using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>What an at-risk index shard writes to its store, read back from the store itself: a
/// user joining or changing features is written within seconds, a score change alone only at the
/// (here, hour-long) score interval or when the shard deactivates.</summary>
public sealed class ChurnIndexPersistenceTests
{
    private const string StateName = "churn-index"; // the shard's PersistentState name
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Shard_WritesUsersSoonAndScoresAlonePerScoreIntervalOrOnDeactivation() =>
        await TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, _) =>
        {
            var shard = cluster.Client.GetGrain<IChurnIndexGrain>(ChurnIndexKeys.For(TestClusterFactory.ServingTenant, 95_000));
            await shard.Record(Entry(0.4f, "search"));
            await Polling.Eventually(async () => Assert.Equal((0.4f, 1), await StoredAsync(cluster, shard)), Patience);

            // A score alone: still the old one after several of the shard's one-second timer turns.
            await shard.Record(Entry(0.9f, "search"));
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal((0.4f, 1), await StoredAsync(cluster, shard));

            // A feature the user had not used: written with the score it came with.
            await shard.Record(Entry(0.95f, "search", "export"));
            await Polling.Eventually(async () => Assert.Equal((0.95f, 2), await StoredAsync(cluster, shard)), Patience);

            // A score alone again, then the shard deactivates (as on a graceful stop or a move).
            await shard.Record(Entry(0.2f, "search", "export"));
            await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            await Polling.Eventually(async () => Assert.Equal((0.2f, 2), await StoredAsync(cluster, shard)), Patience);
        },
        new Dictionary<string, string?> { ["ProductOps:Churn:IndexScorePersistInterval"] = "01:00:00" });

    private static ChurnIndexEntry Entry(float probability, params string[] features) =>
        new("user-1", new ChurnRisk(probability, 1, 0, []), features);

    /// <summary>The stored score and feature count of the one user, through the silo's own grain storage.</summary>
    private static async Task<(float? Probability, int Features)> StoredAsync(TestCluster cluster, IChurnIndexGrain shard)
    {
        var silo = (InProcessSiloHandle)cluster.Primary!;
        var storage = silo.SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StorageSiloBuilderExtensions.GrainStorageName);
        var stored = new GrainState<ChurnIndexState>(new ChurnIndexState());
        await storage.ReadStateAsync(StateName, shard.GetGrainId(), stored);
        return stored.State!.Users.TryGetValue("user-1", out var entry) ? (entry.Risk?.Probability, entry.Features.Count) : (null, 0);
    }
}
