using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>What an at-risk index shard writes to its store, read back from the store itself: a
/// user joining is written within seconds, changed scores and features alone only at the (here,
/// hour-long) score interval or when the shard deactivates.</summary>
[Collection(HeldAckStorage.Collection)]
public sealed class ChurnIndexPersistenceTests
{
    private const string StateName = "churn-index"; // the shard's PersistentState name
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Shard_WritesUsersSoonAndScoresAlonePerScoreIntervalOrOnDeactivation() =>
        await TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, _) =>
        {
            var shard = cluster.Client.GetGrain<IChurnIndexGrain>(ChurnIndexKeys.For(TestClusterFactory.ServingTenant, 95_000));
            await shard.Record(Entry("user-1", 0.4f, "search"));
            await Polling.Eventually(async () => Assert.Equal((0.4f, 1), await StoredAsync(cluster, shard, "user-1")), Patience);

            // A score and a feature alone: still the old ones after several of the shard's one-second timer turns.
            await shard.Record(Entry("user-1", 0.9f, "search", "export"));
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal((0.4f, 1), await StoredAsync(cluster, shard, "user-1"));

            // A user joins: the shard is written soon, with the first user's latest line too.
            await shard.Record(Entry("user-2", 0.1f, "search"));
            await Polling.Eventually(async () => Assert.Equal((0.1f, 1), await StoredAsync(cluster, shard, "user-2")), Patience);
            Assert.Equal((0.9f, 2), await StoredAsync(cluster, shard, "user-1"));

            // A score alone again, then the shard deactivates (as on a graceful stop or a move).
            await shard.Record(Entry("user-1", 0.2f, "search", "export"));
            await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            await Polling.Eventually(async () => Assert.Equal((0.2f, 2), await StoredAsync(cluster, shard, "user-1")), Patience);
        },
        new Dictionary<string, string?> { ["ProductOps:Churn:IndexScorePersistInterval"] = "01:00:00" });

    /// <summary>A shard's reads answer while its state write is out: a page asks every shard, and
    /// one slow write (a loaded PostgreSQL) must not hold up every page.</summary>
    [Fact]
    public async Task Shard_WriteOutstanding_PagesAndCountsStillAnswer() =>
        await TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, _) =>
        {
            var shard = cluster.Client.GetGrain<IChurnIndexGrain>(ChurnIndexKeys.For(HeldAckStorage.Tenant, 0));
            HeldAckStorage.Hold();
            try
            {
                await shard.Record(Entry("user-1", 0.8f, "search"));
                await HeldAckStorage.WriteHeld.WaitAsync(Patience); // the new user's write, its reply held back

                var page = await shard.Top(new AtRiskQuery(0.5, null, null, 10)).WaitAsync(Patience);
                var counts = await shard.Count(0.5).WaitAsync(Patience);
                var users = await shard.Page(string.Empty, 10).WaitAsync(Patience);

                Assert.Equal("user-1", Assert.Single(page).UserId);
                Assert.Equal((1, 1, 1), (counts.Users, counts.Scored, counts.AtRisk));
                Assert.Equal("user-1", Assert.Single(users).UserId);
            }
            finally
            {
                HeldAckStorage.Release();
            }
        },
        new Dictionary<string, string?> { [HeldAckStorage.Setting] = "true", ["ProductOps:Churn:IndexPersistInterval"] = "00:00:00.100" });

    private static ChurnIndexEntry Entry(string user, float probability, params string[] features) =>
        new(user, new ChurnRisk(probability, 1, 0, []), features, AlertThreshold: 0.5);

    /// <summary>A user's stored score and feature count, through the silo's own grain storage.</summary>
    private static async Task<(float? Probability, int Features)> StoredAsync(TestCluster cluster, IChurnIndexGrain shard, string user)
    {
        var silo = (InProcessSiloHandle)cluster.Primary!;
        var storage = silo.SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StorageSiloBuilderExtensions.GrainStorageName);
        var stored = new GrainState<ChurnIndexState>(new ChurnIndexState());
        await storage.ReadStateAsync(StateName, shard.GetGrainId(), stored);
        return stored.State!.Users.TryGetValue(user, out var entry) ? (entry.Risk?.Probability, entry.Features.Count) : (null, 0);
    }
}
