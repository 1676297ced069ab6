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
}
