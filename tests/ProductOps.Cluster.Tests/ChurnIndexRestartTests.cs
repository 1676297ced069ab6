using Microsoft.Extensions.Options;
using Orleans.TestingHost;
using ProductOps.Churn;
using ProductOps.Domain;
using ProductOps.Gateway.Query;
using ProductOps.Grains.Abstractions;
using ProductOps.Testing;
using ProductOps.Testing.Cluster;

namespace ProductOps.Cluster.Tests;

/// <summary>The at-risk index is persisted: a whole cluster stopped and started again on the same
/// data lists every user with the score it had, before anything is rescored. (Were it only in
/// memory, the restarted sweep would find no users to rescore.)</summary>
[Collection(ClusterCollection.Name)]
public sealed class ChurnIndexRestartTests
{
    private const string Tenant = TestClusterFactory.ServingTenant;

    [Fact]
    public async Task Index_WholeClusterRestartedOnSameData_EveryUserListedWithTheSameScore()
    {
        var dataDir = Directory.CreateTempSubdirectory("productops-churn-restart-").FullName;
        var log = ReplayOracle.Deduplicate(EventStreamGenerator.Generate(seed: 61, firstDay: 20_000, users: 150, days: 60))
            .Select(e => e with { Tenant = Tenant })
            .ToList();
        try
        {
            var first = await TestClusterFactory.StartAsync(dataDir, silos: 1);
            using var eventLog = TestClusterFactory.OpenLog(dataDir);
            var driver = TestClusterFactory.Driver(() => first.Client, eventLog);
            await driver.SendAllAsync(log, batchSize: 200, concurrency: 4);
            await driver.WaitUntilDispatchedAsync();
            var histories = log.GroupBy(e => e.UserId, StringComparer.Ordinal).Select(g => new UserHistory(g.Key, [.. g])).ToList();
            var (version, _) = await TestModels.TrainAndActivateAsync(dataDir, Tenant, histories, PipelineDriver.Rules);
            await WaitForSweepAsync(first, version);
            var before = await ScoredAsync(first);
            await first.StopAllSilosAsync();
            await first.DisposeAsync();

            var second = await TestClusterFactory.StartAsync(dataDir, silos: 1);
            try
            {
                var after = await ScoredAsync(second);

                Assert.True(before.Count > 50, $"{before.Count} users scored");
                Assert.Equal(before.Select(e => (e.UserId, e.Risk!.Probability, e.Risk.ModelVersion, e.Risk.ScoredAtMs)),
                    after.Select(e => (e.UserId, e.Risk!.Probability, e.Risk.ModelVersion, e.Risk.ScoredAtMs)));
            }
            finally
            {
                await second.StopAllSilosAsync();
                await second.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<List<ChurnIndexEntry>> ScoredAsync(TestCluster cluster)
    {
        var reader = new ChurnIndexReader(cluster.Client, Options.Create(new PipelineOptions { Partitions = TestClusterFactory.Partitions }));
        var entries = new List<ChurnIndexEntry>();
        await foreach (var entry in reader.ScoredAsync(Tenant, CancellationToken.None))
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static async Task WaitForSweepAsync(TestCluster cluster, int version)
    {
        var sweep = cluster.Client.GetGrain<IChurnSweepGrain>(Tenant);
        await Polling.Until(
            async () => (await sweep.GetStatus()).SweptModelVersion == version,
            TimeSpan.FromSeconds(60),
            () => "the sweep did not run after the activation");
    }
}
