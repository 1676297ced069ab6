using Orleans.TestingHost;
using ProductOps.Gateway.Query;
using ProductOps.Grains.Abstractions;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>The tenant's at-risk feed when the silo holding it goes: stopped, its watchers read on
/// where they were; killed, they are told they may have missed alerts. Crossings the index could
/// not publish meanwhile reach the feed once it answers again. Each test owns its cluster.</summary>
public sealed class AtRiskFeedFailoverTests
{
    private const string Tenant = "feed-failover";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public Task Read_FeedsSiloStopped_ReaderReadsOnWithoutLoss() =>
        TestClusterFactory.WithClusterAsync(silos: 2, async (cluster, _) =>
        {
            var feed = await FeedOnSecondaryAsync(cluster);
            var start = await feed.Head();
            await feed.Publish([AtRiskFeedTests.Crossing("u1")]);
            var first = await feed.Read(start, TimeSpan.FromSeconds(1));
            await feed.Publish([AtRiskFeedTests.Crossing("u2"), AtRiskFeedTests.Crossing("u3")]);

            await cluster.StopSiloAsync(cluster.SecondarySilos[0]); // a rolling upgrade's step
            var after = await AtRiskFeedTests.ReadAllAsync(feed, first.Next);

            Assert.Equal(["u1"], first.Crossings.Select(c => c.User.UserId));
            Assert.Equal(["u2", "u3"], after.Select(c => c.User.UserId));
            Assert.Equal(start with { Seq = 3 }, await feed.Head());
        });

    [Fact]
    public Task Watch_FeedsSiloKilled_WatcherToldItMayHaveMissedAlerts() =>
        TestClusterFactory.WithClusterAsync(silos: 2, async (cluster, _) =>
        {
            var feed = await FeedOnSecondaryAsync(cluster);
            var watch = await AtRiskFeedReader.StartAsync(cluster.Client, Tenant, resumeAfter: null, TimeProvider.System, Patience);
            await feed.Publish([AtRiskFeedTests.Crossing("u1")]);
            var first = await watch.NextAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
            await feed.Publish([AtRiskFeedTests.Crossing("u2")]); // unread when the silo dies

            await cluster.KillSiloAsync(cluster.SecondarySilos[0]);
            // The watch's reads fail until the cluster sees the silo dead; it reads on through that.
            var missed = await Assert.ThrowsAsync<AtRiskAlertsMissedException>(() => watch.NextAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
            var restarted = await AtRiskFeedReader.StartAsync(cluster.Client, Tenant, resumeAfter: null, TimeProvider.System, Patience);
            await feed.Publish([AtRiskFeedTests.Crossing("u3")]);

            Assert.Equal(["u1"], first.Select(c => c.Crossing.User.UserId));
            Assert.Contains("lost with the server holding it", missed.Message, StringComparison.Ordinal);
            Assert.Equal(["u3"], (await restarted.NextAsync(TimeSpan.FromSeconds(5), CancellationToken.None)).Select(c => c.Crossing.User.UserId));
        });

    [Fact]
    public Task Watch_FeedCallsFailBriefly_WatcherReadsOnFromItsPlace() =>
        TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, _) =>
        {
            var feed = cluster.Client.GetGrain<IAtRiskFeedGrain>(FailingFeedFilter.Tenant);
            var watch = await AtRiskFeedReader.StartAsync(cluster.Client, FailingFeedFilter.Tenant, resumeAfter: null, TimeProvider.System, Patience);
            await feed.Publish([AtRiskFeedTests.Crossing("u1")]);
            FailingFeedFilter.FailNext(nameof(IAtRiskFeedGrain.Read), 3);

            var crossings = await watch.NextAsync(TimeSpan.FromSeconds(1), CancellationToken.None);

            Assert.Equal(3, FailingFeedFilter.Failed);
            Assert.Equal(["u1"], crossings.Select(c => c.Crossing.User.UserId));
        },
        new Dictionary<string, string?> { [FailingFeedFilter.Setting] = "true" });

    [Fact]
    public Task Watch_FeedCallsFailPastThePatience_WatchEndsWithTheFailure() =>
        TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, _) =>
        {
            var watch = await AtRiskFeedReader.StartAsync(cluster.Client, FailingFeedFilter.Tenant, resumeAfter: null, TimeProvider.System, TimeSpan.FromSeconds(3));
            FailingFeedFilter.FailNext(nameof(IAtRiskFeedGrain.Read), int.MaxValue);

            await Assert.ThrowsAsync<SiloUnavailableException>(() => watch.NextAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
            Assert.InRange(FailingFeedFilter.Failed, 3, 5); // one a second until the patience ran out
        },
        new Dictionary<string, string?> { [FailingFeedFilter.Setting] = "true" });

    [Fact]
    public Task Publish_FeedUnreachable_IndexKeepsItsCrossingsUntilTheFeedTakesThem() =>
        TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, _) =>
        {
            var feed = cluster.Client.GetGrain<IAtRiskFeedGrain>(FailingFeedFilter.Tenant);
            var shard = cluster.Client.GetGrain<IChurnIndexGrain>(ChurnIndexKeys.For(FailingFeedFilter.Tenant, 0));
            var start = await feed.Head();
            FailingFeedFilter.FailNext(nameof(IAtRiskFeedGrain.Publish), 2);

            await shard.Record(AtRiskFeedTests.Crossing("u1").User);
            await Polling.Until(() => FailingFeedFilter.Failed == 1, Patience, () => "the shard never published");
            await shard.Record(AtRiskFeedTests.Crossing("u2").User);

            await Polling.Eventually(async () =>
            {
                var alerts = await AtRiskFeedTests.ReadAllAsync(feed, start);
                Assert.Equal(["u1", "u2"], alerts.Select(c => c.User.UserId));
            }, Patience);
            Assert.Equal(2, FailingFeedFilter.Failed);
        },
        new Dictionary<string, string?> { [FailingFeedFilter.Setting] = "true" });

    private static async Task<IAtRiskFeedGrain> FeedOnSecondaryAsync(TestCluster cluster)
    {
        var feed = cluster.Client.GetGrain<IAtRiskFeedGrain>(Tenant);
        await feed.Head();
        await TestClusterFactory.MoveToAsync(cluster, feed, cluster.SecondarySilos[0].SiloAddress, Patience);
        return feed;
    }
}
