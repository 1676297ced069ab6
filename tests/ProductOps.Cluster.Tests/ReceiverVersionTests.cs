using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>A feature's and a tenant's answers carry the grain's place in each partition, and a
/// grain back from a silo crash says by it that it holds less than it answered before, even where
/// another partition has sent it more since: what a watch holds a view back by.</summary>
public sealed class ReceiverVersionTests
{
    private const string Tenant = "versions";

    [Fact]
    public Task GetReport_GrainBackFromACrash_VersionSaysWhichPartitionItLacks() =>
        TestClusterFactory.WithClusterAsync(silos: 2, async (cluster, _) =>
        {
            var feature = cluster.Client.GetGrain<IFeatureGrain>(GrainKeys.For(Tenant, "export"));
            await TestClusterFactory.MoveToAsync(cluster, feature, cluster.SecondarySilos[0].SiloAddress, TimeSpan.FromSeconds(30));
            await feature.Receive(Delta(partition: 0, from: 0, upTo: 10));
            await feature.Receive(Delta(partition: 1, from: 0, upTo: 4));
            await feature.Flush(partition: 0); // stores both partitions' places
            await feature.Receive(Delta(partition: 1, from: 4, upTo: 9)); // not stored
            var before = await Report(feature);

            await cluster.KillSiloAsync(cluster.SecondarySilos[0]);
            var restored = await Polling.Eventually(() => Report(feature), TimeSpan.FromSeconds(60)); // once the cluster has seen the silo gone
            await feature.Receive(Delta(partition: 0, from: 10, upTo: 30)); // more events from partition 0
            var onwards = await Report(feature);

            Assert.Equal("0:10 1:9", before.Version!.ToString());
            Assert.Equal("0:10 1:4", restored.Version!.ToString());
            Assert.Equal((19, 14, 34), (before.Totals.EventsAllTime, restored.Totals.EventsAllTime, onwards.Totals.EventsAllTime));
            Assert.False(onwards.Version!.Covers(before.Version), "partition 1's last delta is still missing");
            Assert.Equal(ReceiveStatus.Applied, (await feature.Receive(Delta(partition: 1, from: 4, upTo: 9))).Status); // sent again
            Assert.True((await Report(feature)).Version!.Covers(before.Version));
        });

    [Fact]
    public Task TenantAnswers_CarryTheTenantGrainsVersion() =>
        TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, _) =>
        {
            var tenant = cluster.Client.GetGrain<ITenantGrain>(Tenant);
            await tenant.Receive(Delta(partition: 2, from: 0, upTo: 7));
            await tenant.Receive(Delta(partition: 5, from: 0, upTo: 3));

            var overview = await tenant.GetOverview(TimeRange.DaysEndingAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 30));
            var active = await tenant.GetActiveUsers(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            var now = await tenant.GetNow();

            Assert.Equal("2:7 5:3", overview.Version!.ToString());
            Assert.Equal(overview.Version, active.Version);
            Assert.Equal(overview.Version, now.Active.Version);
        });

    private static Task<FeatureReport> Report(IFeatureGrain feature) =>
        feature.GetReport(TimeRange.DaysEndingAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 30), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>A partition's roll-up of the events in (from, upTo], all of the feature "export".</summary>
    private static AggregateDelta Delta(int partition, long from, long upTo) =>
        new(partition, Required: from, FromSeq: from, UpToSeq: upTo,
            [new CounterDelta("export", Metric.FeatureTotalEvents, Bucket: 0, Amount: upTo - from)], DispatchInfo.None);
}
