using ProductOps.Grains.Abstractions;
using ProductOps.Testing;
using ProductOps.Testing.Cluster;

namespace ProductOps.Cluster.Tests;

/// <summary>The tenant's at-risk feed's long poll, driven directly.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AtRiskFeedTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Read_CallerCancels_TheGrainStopsWaitingAtOnce()
    {
        var feed = fixture.Cluster.Client.GetGrain<IAtRiskFeedGrain>("feed-cancel");
        var head = await feed.Head();
        using var cancel = new CancellationTokenSource();

        // Nothing is published to this tenant: only the cancellation can end this read early.
        var read = feed.Read(head, TimeSpan.FromMinutes(5), cancel.Token);
        await Polling.Until(async () => await feed.Waiting() == 1, Polling.DefaultTimeout, () => "the read never started waiting");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        await Polling.Until(async () => await feed.Waiting() == 0, Polling.DefaultTimeout, () => "the grain still waits for a cancelled reader");
    }

    [Fact]
    public async Task Read_CrossingPublished_WakesTheWaitingRead()
    {
        var feed = fixture.Cluster.Client.GetGrain<IAtRiskFeedGrain>("feed-wake");
        var head = await feed.Head();
        var read = feed.Read(head, TimeSpan.FromMinutes(5));
        await Polling.Until(async () => await feed.Waiting() == 1, Polling.DefaultTimeout, () => "the read never started waiting");

        await feed.Publish([new AtRiskCrossing(new ChurnIndexEntry("u1", new ChurnRisk(0.9f, 1, 0, ["a reason"]), ["search"], 0.5), null)]);

        var page = await read.WaitAsync(Polling.DefaultTimeout);
        Assert.Equal("u1", Assert.Single(page.Crossings).User.UserId);
        Assert.Equal(0, await feed.Waiting());
    }
}
