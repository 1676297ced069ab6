using Orleans.Core.Internal;
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
    public async Task Read_ReaderFurtherBehindThanTheFeedHolds_ToldItMissedAlerts()
    {
        var feed = fixture.Cluster.Client.GetGrain<IAtRiskFeedGrain>("feed-overrun");
        var start = await feed.Head();
        await feed.Publish([.. Enumerable.Range(0, 10_005).Select(i => Crossing($"u{i}"))]);

        // The feed holds the latest 10,000: a watcher from the start cannot be given every alert,
        // and must not be handed the rest as if it were; one 5 alerts later gets all it missed.
        var missed = await Assert.ThrowsAsync<AtRiskAlertsMissedException>(() => feed.Read(start, TimeSpan.FromSeconds(1)));
        var delivered = await ReadAllAsync(feed, start with { Seq = start.Seq + 5 });

        Assert.Contains("missed at least 5 alerts", missed.Message, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(5, 10_000).Select(i => $"u{i}"), delivered.Select(c => c.User.UserId));
    }

    [Fact]
    public async Task Read_CrossingPublished_WakesTheWaitingRead()
    {
        var feed = fixture.Cluster.Client.GetGrain<IAtRiskFeedGrain>("feed-wake");
        var head = await feed.Head();
        var read = feed.Read(head, TimeSpan.FromMinutes(5));
        await Polling.Until(async () => await feed.Waiting() == 1, Polling.DefaultTimeout, () => "the read never started waiting");

        await feed.Publish([Crossing("u1")]);

        var page = await read.WaitAsync(Polling.DefaultTimeout);
        Assert.Equal("u1", Assert.Single(page.Crossings).User.UserId);
        Assert.Equal(0, await feed.Waiting());
    }

    [Fact]
    public async Task Read_FeedDeactivatedGracefully_ReaderReadsOnWhereItWas()
    {
        var feed = fixture.Cluster.Client.GetGrain<IAtRiskFeedGrain>("feed-handover");
        var start = await feed.Head();
        await feed.Publish([Crossing("u1"), Crossing("u2")]);
        var first = await feed.Read(start, TimeSpan.FromSeconds(1));
        // Far more than a page behind when the feed moves: all of it is handed over.
        await feed.Publish([.. Enumerable.Range(3, 1_500).Select(i => Crossing($"u{i}"))]);

        // As idle collection or a rolling upgrade would: the next call finds a new activation.
        await DeactivateAsync(feed);
        var after = await ReadAllAsync(feed, first.Next);
        await feed.Publish([Crossing("u1503")]);
        var later = await ReadAllAsync(feed, first.Next with { Seq = first.Next.Seq + 1_500 });

        Assert.Equal(["u1", "u2"], first.Crossings.Select(c => c.User.UserId));
        Assert.Equal(Enumerable.Range(3, 1_500).Select(i => $"u{i}"), after.Select(c => c.User.UserId));
        Assert.Equal(["u1503"], later.Select(c => c.User.UserId));
        Assert.Equal(start with { Seq = 1_503 }, await feed.Head());
    }

    /// <summary>The handover carries what the feed's readers of the last half minute or more may
    /// still need, not the whole feed: a place nobody read from (a token kept for long) is told
    /// how much it missed; the place last read from reads on.</summary>
    [Fact]
    public async Task Read_PlaceNobodyReadFromBeforeAGracefulMove_ToldHowManyItMissed()
    {
        var feed = fixture.Cluster.Client.GetGrain<IAtRiskFeedGrain>("feed-handover-unread");
        await feed.Publish([.. Enumerable.Range(0, 1_500).Select(i => Crossing($"u{i}"))]);
        var head = await feed.Head(); // a watch starting now

        await DeactivateAsync(feed);
        var missed = await Assert.ThrowsAsync<AtRiskAlertsMissedException>(() => feed.Read(head with { Seq = 0 }, TimeSpan.FromSeconds(1)));
        await feed.Publish([Crossing("u1500")]);
        var next = await feed.Read(head, TimeSpan.FromSeconds(1));

        Assert.Contains("missed at least 1500 alerts", missed.Message, StringComparison.Ordinal);
        Assert.Equal(["u1500"], next.Crossings.Select(c => c.User.UserId));
    }

    /// <summary>A watch that took its place (Head) and has not read yet, while the feed moves
    /// twice: both handovers keep what it will read.</summary>
    [Fact]
    public async Task Read_FeedMovesTwiceBeforeTheFirstRead_ReaderGetsEverything()
    {
        var feed = fixture.Cluster.Client.GetGrain<IAtRiskFeedGrain>("feed-handover-twice");
        var start = await feed.Head();
        await feed.Publish([.. Enumerable.Range(0, 5).Select(i => Crossing($"u{i}"))]);

        await DeactivateAsync(feed);
        await feed.Publish([Crossing("u5")]);
        await DeactivateAsync(feed);
        var read = await ReadAllAsync(feed, start);

        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"u{i}"), read.Select(c => c.User.UserId));
    }

    private async Task DeactivateAsync(IAtRiskFeedGrain feed)
    {
        await feed.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Polling.Until(
            async () => (await TestClusterFactory.HostsOfAsync(fixture.Cluster, feed)).Length == 0,
            Polling.DefaultTimeout,
            () => "the feed is still active");
    }

    internal static AtRiskCrossing Crossing(string userId) =>
        new(new ChurnIndexEntry(userId, new ChurnRisk(0.9f, 1, 0, ["a reason"]), ["search"], 0.5), null);

    /// <summary>Every crossing after <paramref name="position"/>, page by page, until the feed has no more.</summary>
    internal static async Task<List<AtRiskCrossing>> ReadAllAsync(IAtRiskFeedGrain feed, AtRiskFeedPosition position)
    {
        var crossings = new List<AtRiskCrossing>();
        while (true)
        {
            var page = await feed.Read(position, TimeSpan.Zero);
            if (page.Crossings.Count == 0)
            {
                return crossings;
            }

            crossings.AddRange(page.Crossings);
            position = page.Next;
        }
    }
}
