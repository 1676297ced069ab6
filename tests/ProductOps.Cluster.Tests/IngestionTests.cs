using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Testing;
using ProductOps.Testing.Cluster;

namespace ProductOps.Cluster.Tests;

/// <summary>Random streams through a two-silo cluster equal the replay oracle.</summary>
[Collection(ClusterCollection.Name)]
public sealed class IngestionTests(ClusterFixture fixture)
{
    private readonly PipelineDriver _driver = fixture.Driver;

    [Fact]
    public async Task Append_RandomStreamWithRetries_AggregatesMatchOracle()
    {
        var events = EventStreamGenerator.Generate(seed: 11, firstDay: 20_000, users: 250, days: 45);

        await _driver.SendAllAsync(events, batchSize: 100, concurrency: 8);
        await _driver.WaitUntilDispatchedAsync();

        await _driver.AssertLogCompleteAndAggregatesMatchAsync(events);
    }

    [Fact]
    public async Task Append_SameBatchTwice_SecondReportsAllDuplicates()
    {
        var events = EventStreamGenerator.Generate(seed: 12, firstDay: 20_000, users: 20, days: 10)
            .Select(e => e with { Tenant = "dedup" }) // its own tenant: the shared log's "acme" stays the oracle's
            .DistinctBy(e => (e.UserId, e.EventId))
            .Take(300)
            .ToList();
        var router = new Gateway.Ingest.PartitionRouter(
            fixture.Cluster.Client,
            Microsoft.Extensions.Options.Options.Create(new PipelineOptions { Partitions = TestClusterFactory.Partitions }));

        var first = await router.AppendAsync(events);
        var second = await router.AppendAsync(events);

        Assert.All(first, duplicate => Assert.False(duplicate));
        Assert.All(second, duplicate => Assert.True(duplicate));
    }

    /// <summary>Times on midnights, hour and window edges, a leap day, year 1 and a year late, in
    /// any order, retried in the same batch, a moment later and once everything is dispatched.</summary>
    [Fact]
    public async Task Append_EdgeStreamWithRetries_AggregatesMatchOracle()
    {
        const string tenant = "edge"; // its own tenant, with the default rules: the shared log's "acme" stays the oracle's
        var events = EdgeStreamGenerator.Generate(tenant, seed: 3, EdgeStreamGenerator.LeapDay);

        await _driver.SendAllAsync(events, batchSize: 37, concurrency: 4);
        await _driver.WaitUntilDispatchedAsync();
        await _driver.SendAllAsync(events.Where((_, i) => i % 5 == 0).ToList(), batchSize: 50, concurrency: 2);
        await _driver.WaitUntilDispatchedAsync();

        var log = await _driver.ReadLogAsync(tenant);
        Assert.Equal(ReplayOracle.Deduplicate(events).Count, log.Count);
        var oracle = ReplayOracle.Replay(log, TenantRules.Default);
        var grains = fixture.Cluster.Client;
        OracleAssert.CountersEqual(oracle.Tenant, await grains.GetGrain<ITenantGrain>(tenant).GetCounters(), "tenant");
        foreach (var (feature, expected) in oracle.Features)
        {
            OracleAssert.CountersEqual(expected, await grains.GetGrain<IFeatureGrain>(GrainKeys.For(tenant, feature)).GetCounters(), feature);
        }

        foreach (var asOf in EdgeStreamGenerator.AsOfTimes(EdgeStreamGenerator.LeapDay).Where((_, i) => i % 3 == 0))
        {
            foreach (var userId in oracle.UserIds)
            {
                var actual = await grains.GetGrain<IUserGrain>(GrainKeys.For(tenant, userId)).Get(asOf);
                OracleAssert.SnapshotsEqual(oracle.User(userId, asOf), actual);
            }
        }
    }
}
