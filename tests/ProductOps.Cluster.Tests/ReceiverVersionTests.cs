using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>A feature's and a tenant's answers carry the grain's version (how many events it holds
/// from each partition), and a grain back from a silo crash says by it that it holds less than it
/// answered before, even where another partition has sent it more since, until it is sent the rest
/// again, however the partition cuts it into deltas: what a watch holds a view back by.</summary>
public sealed class ReceiverVersionTests
{
    private const string Tenant = "versions";

    [Fact]
    public Task GetReport_GrainBackFromACrash_VersionSaysWhichPartitionItLacksUntilSentItAgain() =>
        TestClusterFactory.WithClusterAsync(silos: 2, async (cluster, _) =>
        {
            var feature = await FeatureOnAsync(cluster, cluster.SecondarySilos[0].SiloAddress);
            await feature.Receive(Delta(partition: 0, from: 0, upTo: 10, events: 8));
            await feature.Receive(Delta(partition: 1, from: 0, upTo: 4, events: 4));
            await feature.Flush(partition: 0); // stores both partitions' places
            await feature.Receive(Delta(partition: 1, from: 4, upTo: 9, events: 2)); // not stored
            var before = await Report(feature);

            await cluster.KillSiloAsync(cluster.SecondarySilos[0]);
            var restored = await Polling.Eventually(() => Report(feature), TimeSpan.FromSeconds(60)); // once the cluster has seen the silo gone
            await feature.Receive(Delta(partition: 0, from: 10, upTo: 30, events: 20)); // more events from partition 0
            var onwards = await Report(feature);
            // Partition 1 sends its 2 events again, in a cycle that ends sooner than the first did:
            // the grain holds what it held before, though its watermark there (7) is lower.
            Assert.Equal(ReceiveStatus.Applied, (await feature.Receive(Delta(partition: 1, from: 4, upTo: 7, events: 2))).Status);
            var caughtUp = await Report(feature);

            Assert.Equal("0:8 1:6", before.Version!.ToString());
            Assert.Equal("0:8 1:4", restored.Version!.ToString());
            Assert.Equal((14, 12, 32), (before.Totals.EventsAllTime, restored.Totals.EventsAllTime, onwards.Totals.EventsAllTime));
            Assert.False(onwards.Version!.Covers(before.Version), "partition 1's last 2 events are still missing");
            Assert.Equal("0:28 1:6", caughtUp.Version!.ToString());
            Assert.True(caughtUp.Version.Covers(before.Version));
        });

    [Fact]
    public Task TenantAnswers_CarryTheTenantGrainsVersion() =>
        TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, _) =>
        {
            var tenant = cluster.Client.GetGrain<ITenantGrain>(Tenant);
            await tenant.Receive(Delta(partition: 2, from: 0, upTo: 7, events: 6));
            await tenant.Receive(Delta(partition: 5, from: 0, upTo: 3, events: 3));

            var overview = await tenant.GetOverview(TimeRange.DaysEndingAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 30));
            var active = await tenant.GetActiveUsers(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            var now = await tenant.GetNow();

            Assert.Equal("2:6 5:3", overview.Version!.ToString());
            Assert.Equal(overview.Version, active.Version);
            Assert.Equal(overview.Version, now.Active.Version);
        });

    /// <summary>A feature of <see cref="Tenant"/> whose grain the cluster placed on <paramref name="silo"/>:
    /// the test kills that silo, and placement is by the cluster's choice (no migration, whose
    /// wait for the grain to be idle made the test slow and flaky).</summary>
    private static async Task<IFeatureGrain> FeatureOnAsync(Orleans.TestingHost.TestCluster cluster, SiloAddress silo)
    {
        for (var i = 0; i < 64; i++)
        {
            var feature = cluster.Client.GetGrain<IFeatureGrain>(GrainKeys.For(Tenant, $"export-{i}"));
            await Report(feature); // activates it where the cluster places it
            if ((await TestClusterFactory.HostsOfAsync(cluster, feature)).SequenceEqual([silo]))
            {
                return feature;
            }
        }

        throw new InvalidOperationException($"no feature grain of 64 was placed on {silo}");
    }

    private static Task<FeatureReport> Report(IFeatureGrain feature) =>
        feature.GetReport(TimeRange.DaysEndingAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 30), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>A partition's roll-up of the events in (from, upTo], <paramref name="events"/> of
    /// them of the feature under test (the rest are other features').</summary>
    private static AggregateDelta Delta(int partition, long from, long upTo, int events) =>
        new(partition, Required: from, FromSeq: from, UpToSeq: upTo,
            [new CounterDelta("export", Metric.FeatureTotalEvents, Bucket: 0, Amount: events)], DispatchInfo.None, events);
}
