using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;
using ProductOps.Domain;
using ProductOps.Gateway.Query;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>A user whose rescoring call backs all failed, so the silo's queue gave up on it, is
/// scheduled again by its next event (and not left to the next day's sweep).</summary>
public sealed class RescoreGiveUpTests
{
    private const string Tenant = FailingRescoreFilter.Tenant;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public Task Apply_AfterTheQueueGaveUpOnTheUser_SchedulesAgainAndTheUserIsListed() =>
        TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, driver) =>
        {
            var queue = ((InProcessSiloHandle)cluster.Primary!).SiloHost.Services.GetRequiredService<RescoreQueue>();
            var index = new ChurnIndexReader(cluster.Client, Options.Create(new PipelineOptions { Partitions = TestClusterFactory.Partitions }));
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var giveUps = queue.GiveUps;
            FailingRescoreFilter.FailNext(1 + RescoreQueue.MaxRetries);

            await driver.SendAllAsync([Event("e1", now)], batchSize: 1, concurrency: 1);
            await driver.WaitUntilDispatchedAsync();
            await Polling.Until(() => queue.GiveUps > giveUps, Patience, () => $"{FailingRescoreFilter.Failed} call backs failed, queue gave up {queue.GiveUps} times");
            Assert.Equal(1 + RescoreQueue.MaxRetries, FailingRescoreFilter.Failed);
            Assert.Equal(0, (await index.CountAsync(Tenant, 0.5)).Users); // no call back reached the user

            await driver.SendAllAsync([Event("e2", now + 1)], batchSize: 1, concurrency: 1);
            await driver.WaitUntilDispatchedAsync();

            await Polling.Eventually(async () => Assert.Equal(1, (await index.CountAsync(Tenant, 0.5)).Users), Patience);
        },
        new Dictionary<string, string?> { [FailingRescoreFilter.Setting] = "true" });

    private static TrackedEvent Event(string id, long timestampMs) => new(Tenant, "user-1", id, "page_view", "home", timestampMs, 0, "s1", null);
}
