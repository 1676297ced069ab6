using ProductOps.Grains.Abstractions;
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
    /// score, at the threshold asked before and after the scores changed and at a new one.</summary>
    [Fact]
    public async Task Count_AsScoresChange_EqualsACountOfTheLatestScores()
    {
        var shard = fixture.Cluster.Client.GetGrain<IChurnIndexGrain>(
            ChurnIndexKeys.For(TestClusterFactory.ServingTenant, Interlocked.Increment(ref _nextShard)));
        var latest = new Dictionary<string, float?>(StringComparer.Ordinal);
        var random = new Random(11);
        double[] thresholds = [0.5, 0.5, 0.5, 0.3, 0.5, 0.9];
        foreach (var threshold in thresholds)
        {
            for (var i = 0; i < 200; i++)
            {
                var user = $"u{random.Next(60)}";
                // Scores land on and around the thresholds, and some go away.
                float? probability = random.Next(8) == 0 ? null : random.Next(11) / 10f;
                latest[user] = probability;
                await shard.Record(Entry(user, probability, "search"));
            }

            var expected = new ChurnIndexCounts(
                latest.Count,
                latest.Values.Count(p => p is not null),
                latest.Values.Count(p => p >= threshold));
            Assert.Equal(expected, await shard.Count(threshold));
        }
    }

    private static ChurnIndexEntry Entry(string user, float? probability, string feature) =>
        new(user, probability is { } p ? new ChurnRisk(p, 1, 0, []) : null, [feature]);

    private static async Task<string[]> Users(IChurnIndexGrain shard, AtRiskQuery query) =>
        [.. (await shard.Top(query)).Select(e => e.UserId)];
}
