using ProductOps.Grains.Abstractions;
using ProductOps.Testing;
using ProductOps.Testing.Cluster;

namespace ProductOps.Cluster.Tests;

/// <summary>One shard of the at-risk index, driven directly: pages in the at-risk order as scores
/// rise, fall and disappear, with the threshold, feature and cursor a page can carry.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ChurnIndexShardTests(ClusterFixture fixture)
{
    private static int _nextShard = 90_000; // far from the pipeline's partitions: a shard of its own

    [Fact]
    public async Task Top_AfterScoresChange_PagesHoldTheCurrentScoresInOrder()
    {
        var shard = fixture.Cluster.Client.GetGrain<IChurnIndexGrain>(
            ChurnIndexKeys.For(TestClusterFactory.ServingTenant, Interlocked.Increment(ref _nextShard)));
        await shard.Record(Entry("a", 0.9f, "search"));
        await shard.Record(Entry("b", 0.8f, "export"));
        await shard.Record(Entry("c", 0.7f, "search"));
        await shard.Record(Entry("d", null, "search"));
        await shard.Record(Entry("e", 0.8f, "search"));
        await shard.Record(Entry("a", 0.2f, "search")); // a falls below c
        await shard.Record(Entry("e", null, "search")); // e loses its score (no model any more)

        Assert.Equal(["b", "c"], await Users(shard, new AtRiskQuery(0.5, null, null, 10)));
        Assert.Equal(["b", "c", "a"], await Users(shard, new AtRiskQuery(0, null, null, 10)));
        Assert.Equal(["b"], await Users(shard, new AtRiskQuery(0, null, null, 1)));
        Assert.Equal(["c", "a"], await Users(shard, new AtRiskQuery(0, "search", null, 10)));
        Assert.Equal(["c", "a"], await Users(shard, new AtRiskQuery(0, null, new AtRiskCursor(0.8f, "b"), 10)));
        Assert.Equal(["a"], await Users(shard, new AtRiskQuery(0, null, new AtRiskCursor(0.7f, "c"), 10)));
        Assert.Equal(["c", "a"], await Users(shard, new AtRiskQuery(0, null, new AtRiskCursor(0.75f, "zz"), 10))); // no user there
        Assert.Empty(await Users(shard, new AtRiskQuery(0, null, new AtRiskCursor(0.1f, "a"), 10)));
    }

    /// <summary>The counts a shard keeps as scores change equal a count of every user's latest
    /// line, at the threshold asked before and after the scores changed and at a new one: at risk
    /// means judged at risk when scored (with the threshold of the time) and at or above the
    /// threshold asked; a user who cancelled is counted as such, neither scored nor at risk.</summary>
    [Fact]
    public async Task Count_AsScoresChange_EqualsACountOfTheLatestScores()
    {
        var shard = fixture.Cluster.Client.GetGrain<IChurnIndexGrain>(
            ChurnIndexKeys.For(TestClusterFactory.ServingTenant, Interlocked.Increment(ref _nextShard)));
        var latest = new Dictionary<string, (float? Probability, double JudgedWith, bool Cancelled)>(StringComparer.Ordinal);
        var random = new Random(11);
        double[] thresholds = [0.5, 0.5, 0.5, 0.3, 0.5, 0.9];
        double[] judgedWith = [0.3, 0.5, 0.7];
        foreach (var threshold in thresholds)
        {
            for (var i = 0; i < 200; i++)
            {
                var user = $"u{random.Next(60)}";
                // Scores land on and around the thresholds, and some go away (no model, or cancelled).
                var gone = random.Next(8);
                float? probability = gone < 2 ? null : random.Next(11) / 10f;
                var judged = judgedWith[random.Next(judgedWith.Length)];
                latest[user] = (probability, judged, gone == 1);
                await shard.Record(gone == 1
                    ? new ChurnIndexEntry(user, null, ["search"], CancelledAtMs: 7)
                    : Entry(user, probability, "search", judged));
            }

            var expected = new ChurnIndexCounts(
                latest.Count,
                latest.Values.Count(l => l.Probability is not null),
                latest.Values.Count(l => l.Probability >= threshold && l.Probability >= l.JudgedWith),
                latest.Values.Count(l => l.Cancelled));
            Assert.Equal(expected, await shard.Count(threshold));
        }
    }

    /// <summary>Crossings go to the tenant's feed when a user becomes at risk as judged at
    /// scoring: a line at or above its own threshold after one that was not (or none), whatever
    /// the probability before; never for a user who cancels.</summary>
    [Fact]
    public async Task Record_JudgedAtRiskAfterALineThatWasNot_AlertedOnce()
    {
        const string Tenant = "crossings";
        var shard = fixture.Cluster.Client.GetGrain<IChurnIndexGrain>(ChurnIndexKeys.For(Tenant, 0));
        var feed = fixture.Cluster.Client.GetGrain<IAtRiskFeedGrain>(Tenant);
        var head = await feed.Head();

        await shard.Record(Entry("a", 0.6f, "search", judgedWith: 0.7)); // below its threshold
        await shard.Record(Entry("b", 0.8f, "search", judgedWith: 0.7)); // crosses (no line before)
        await shard.Record(Entry("a", 0.6f, "search", judgedWith: 0.5)); // crosses: the threshold was lowered
        await shard.Record(Entry("a", 0.65f, "search", judgedWith: 0.5)); // still at risk: no crossing
        await shard.Record(new ChurnIndexEntry("b", null, ["search"], CancelledAtMs: 9)); // cancels
        await shard.Record(Entry("b", 0.75f, "search", judgedWith: 0.5)); // back, at risk: crosses
        await shard.Record(new ChurnIndexEntry("c", new ChurnRisk(0.9f, 1, 0, []), ["search"])); // a line from before thresholds were recorded, unexplained

        var crossings = await Polling.Eventually(async () =>
        {
            var page = await feed.Read(head, TimeSpan.FromSeconds(5));
            Assert.Equal(3, page.Crossings.Count);
            return page.Crossings;
        }, TimeSpan.FromSeconds(30));
        (string, float?)[] expected = [("b", null), ("a", 0.6f), ("b", null)];
        Assert.Equal(expected, crossings.Select(c => (c.User.UserId, c.PreviousProbability)));
    }

    /// <summary>A raised threshold applies at once: a user judged at risk under the old one but
    /// below the new one is not at risk, so a score that later reaches the new threshold makes
    /// them at risk again, and a watcher must hear of it, even when that score comes before the
    /// sweep has rescored the user with the new threshold.</summary>
    [Fact]
    public async Task Record_AtRiskLineBelowARaisedThresholdThenAScoreAboveIt_Alerted()
    {
        const string Tenant = "raised-crossings";
        var shard = fixture.Cluster.Client.GetGrain<IChurnIndexGrain>(ChurnIndexKeys.For(Tenant, 0));
        var feed = fixture.Cluster.Client.GetGrain<IAtRiskFeedGrain>(Tenant);
        var head = await feed.Head();

        await shard.Record(Entry("a", 0.6f, "search", judgedWith: 0.5)); // crosses
        await shard.Record(Entry("b", 0.8f, "search", judgedWith: 0.5)); // crosses
        // The threshold is raised to 0.7: a (0.6) is no longer at risk, b (0.8) still is.
        await shard.Record(Entry("a", 0.75f, "search", judgedWith: 0.7)); // at risk again: crosses
        await shard.Record(Entry("b", 0.85f, "search", judgedWith: 0.7)); // at risk all along: no crossing

        var crossings = await Polling.Eventually(async () =>
        {
            var page = await feed.Read(head, TimeSpan.FromSeconds(5));
            Assert.Equal(3, page.Crossings.Count);
            return page.Crossings;
        }, TimeSpan.FromSeconds(30));
        (string, float?)[] expected = [("a", null), ("b", null), ("a", 0.6f)];
        Assert.Equal(expected, crossings.Select(c => (c.User.UserId, c.PreviousProbability)));
    }

    private static ChurnIndexEntry Entry(string user, float? probability, string feature, double judgedWith = 0.01) =>
        new(user, probability is { } p ? new ChurnRisk(p, 1, 0, p >= judgedWith ? ["a reason"] : []) : null, [feature], judgedWith);

    private static async Task<string[]> Users(IChurnIndexGrain shard, AtRiskQuery query) =>
        [.. (await shard.Top(query)).Select(e => e.UserId)];
}
