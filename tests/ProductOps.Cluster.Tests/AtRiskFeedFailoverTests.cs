using Orleans.Core.Internal;
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
            // Here the cluster sees at once that the silo is gone; where its calls fail meanwhile,
            // the watch reads on through that (the injected failures below).
            var missed = await Assert.ThrowsAsync<AtRiskAlertsMissedException>(() => watch.NextAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
            var restarted = await AtRiskFeedReader.StartAsync(cluster.Client, Tenant, resumeAfter: null, TimeProvider.System, Patience);
            await feed.Publish([AtRiskFeedTests.Crossing("u3")]);

            Assert.Equal(["u1"], first.Select(c => c.Crossing.User.UserId));
            Assert.Contains("lost with the server holding it", missed.Message, StringComparison.Ordinal);
            Assert.Equal(["u3"], (await restarted.NextAsync(TimeSpan.FromSeconds(5), CancellationToken.None)).Select(c => c.Crossing.User.UserId));
        });

    [Fact]
    public Task Watch_FeedCallsFailBriefly_WatcherReadsOnFromItsPlace() =>
        WithFailingFeedAsync(async (cluster, feed, _, _) =>
        {
            var watch = await AtRiskFeedReader.StartAsync(cluster.Client, FailingFeedFilter.Tenant, resumeAfter: null, TimeProvider.System, Patience);
            await feed.Publish([AtRiskFeedTests.Crossing("u1")]);
            FailingFeedFilter.FailNext(nameof(IAtRiskFeedGrain.Read), 3);

            var crossings = await watch.NextAsync(TimeSpan.FromSeconds(1), CancellationToken.None);

            Assert.Equal(3, FailingFeedFilter.Failed);
            Assert.Equal(["u1"], crossings.Select(c => c.Crossing.User.UserId));
        });

    [Fact]
    public Task Watch_FeedCallsFailPastThePatience_WatchEndsWithTheFailure() =>
        WithFailingFeedAsync(async (cluster, _, _, _) =>
        {
            var watch = await AtRiskFeedReader.StartAsync(cluster.Client, FailingFeedFilter.Tenant, resumeAfter: null, TimeProvider.System, TimeSpan.FromSeconds(3));
            FailingFeedFilter.FailNext(nameof(IAtRiskFeedGrain.Read), int.MaxValue);

            await Assert.ThrowsAsync<SiloUnavailableException>(() => watch.NextAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
            Assert.InRange(FailingFeedFilter.Failed, 3, 5); // one a second until the patience ran out
        });

    [Fact]
    public Task Publish_FeedUnreachable_IndexKeepsItsCrossingsUntilTheFeedTakesThem() =>
        WithFailingFeedAsync(async (_, feed, shard, start) =>
        {
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
        });

    /// <summary>A shard that deactivates (idle, its silo stopping) while the feed does not take its
    /// publish stores the crossing with the line that made it; its next activation publishes it
    /// (the line, stored as judged at risk, never makes it again).</summary>
    [Fact]
    public Task Publish_ShardDeactivatesWhileTheFeedRefuses_ItsNextActivationPublishesTheCrossing() =>
        WithFailingFeedAsync(async (cluster, feed, shard, start) =>
        {
            FailingFeedFilter.FailNext(nameof(IAtRiskFeedGrain.Publish), int.MaxValue);
            var u1 = AtRiskFeedTests.Crossing("u1").User;
            await shard.Record(u1);
            await Polling.Until(() => FailingFeedFilter.Failed >= 1, Patience, () => "the shard never published");

            await shard.Cast<IGrainManagementExtension>().DeactivateOnIdle();
            await Polling.Until(async () => (await TestClusterFactory.HostsOfAsync(cluster, shard)).Length == 0, Patience, () => "the shard is still active");
            FailingFeedFilter.FailNext(nameof(IAtRiskFeedGrain.Publish), 0);
            await shard.Record(u1); // the sweep rescoring the user: no crossing of its own
            await shard.Record(AtRiskFeedTests.Crossing("u2").User);

            await Polling.Eventually(async () =>
                Assert.Equal(["u1", "u2"], (await AtRiskFeedTests.ReadAllAsync(feed, start)).Select(c => c.User.UserId)), Patience);
            Assert.Equal(start.Epoch, (await feed.Head()).Epoch);
        });

    /// <summary>More crossings wait than a shard keeps (5,000) while the feed refuses them: the
    /// shard drops the oldest, and the feed marks their place, so a reader reaching it is told
    /// instead of reading on as if nothing were missing.</summary>
    [Fact]
    public Task Publish_MoreCrossingsWaitThanAShardKeeps_ReaderToldOfTheDroppedOnes() =>
        WithFailingFeedAsync(async (_, feed, shard, start) =>
        {
            FailingFeedFilter.FailNext(nameof(IAtRiskFeedGrain.Publish), int.MaxValue);
            for (var batch = 0; batch < 51; batch++)
            {
                await Task.WhenAll(Enumerable.Range(batch * 100, 100).Select(i => shard.Record(AtRiskFeedTests.Crossing($"u{i}").User)));
            }

            var failed = FailingFeedFilter.Failed;
            await Polling.Until(() => FailingFeedFilter.Failed > failed, Patience, () => "no publish after the last crossing");
            FailingFeedFilter.FailNext(nameof(IAtRiskFeedGrain.Publish), 0);
            await Polling.Until(async () => (await feed.Head()).Seq > start.Seq + 5_000, Patience, () => "the feed never took the crossings");

            var missed = await Assert.ThrowsAsync<AtRiskAlertsMissedException>(() => feed.Read(start, TimeSpan.FromSeconds(1)));
            var rest = await AtRiskFeedTests.ReadAllAsync(feed, start with { Seq = start.Seq + 1 });

            Assert.Contains("100 alerts were dropped", missed.Message, StringComparison.Ordinal);
            // The oldest hundred (each batch's calls arrive in any order, the batches in order).
            Assert.Equal(Enumerable.Range(100, 5_000).Select(i => $"u{i}").Order(StringComparer.Ordinal), rest.Select(c => c.User.UserId).Order(StringComparer.Ordinal));
        });

    /// <summary>Runs <paramref name="test"/> on a one-silo cluster whose calls to the
    /// <see cref="FailingFeedFilter.Tenant"/> tenant's feed fail as the test asks, with the
    /// feed, its shard of partition 0, and the feed's head before the test.</summary>
    private static Task WithFailingFeedAsync(Func<TestCluster, IAtRiskFeedGrain, IChurnIndexGrain, AtRiskFeedPosition, Task> test) =>
        TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, _) =>
        {
            var feed = cluster.Client.GetGrain<IAtRiskFeedGrain>(FailingFeedFilter.Tenant);
            var shard = cluster.Client.GetGrain<IChurnIndexGrain>(ChurnIndexKeys.For(FailingFeedFilter.Tenant, 0));
            await test(cluster, feed, shard, await feed.Head());
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
