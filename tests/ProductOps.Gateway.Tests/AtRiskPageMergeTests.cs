using ProductOps.Gateway.Query;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Tests;

/// <summary>The at-risk page merged from small shares of every shard equals the page read from
/// all entries at once, whatever the shards hold; without a node (shards are lists here, with
/// the index shard's own query rules).</summary>
public sealed class AtRiskPageMergeTests
{
    private const int Shards = 32;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task TopAsync_EvenSkewedAndTiedShards_EqualsThePageOfAllEntries(int seed)
    {
        var random = new Random(seed);
        foreach (var layout in new[] { "even", "one shard holds the top", "ties", "sparse" })
        {
            var shards = Layout(layout, random);
            var all = shards.SelectMany(s => s).ToList();
            foreach (var limit in new[] { 1, 5, 50, 1000 })
            {
                foreach (var min in new[] { 0.0, 0.5, 0.95 })
                {
                    AtRiskCursor? after = null;
                    for (var page = 0; page < 4; page++)
                    {
                        var query = new AtRiskQuery(min, random.Next(3) == 0 ? "export" : null, after, limit);

                        var merged = await AtRiskPageMerge.TopAsync(Shards, query, (s, q) => Task.FromResult(Top(shards[s], q)));

                        Assert.Equal(Top(all, query).Select(e => e.UserId), merged.Select(e => e.UserId));
                        if (merged.Count == 0)
                        {
                            break;
                        }

                        after = new AtRiskCursor(merged[^1].Risk!.Probability, merged[^1].UserId);
                    }
                }
            }
        }
    }

    [Fact]
    public async Task TopAsync_UsersSpreadEvenly_OneRoundOfSmallShares()
    {
        var shards = Layout("even", new Random(7));
        var asked = new List<int>();

        var page = await AtRiskPageMerge.TopAsync(Shards, new AtRiskQuery(0, null, null, 50), (s, q) =>
        {
            lock (asked)
            {
                asked.Add(q.Limit);
            }

            return Task.FromResult(Top(shards[s], q));
        });

        Assert.Equal(50, page.Count);
        Assert.Equal(Shards, asked.Count);
        Assert.All(asked, limit => Assert.Equal(AtRiskPageMerge.FirstShare(50, Shards), limit));
    }

    /// <summary>A shard asked twice may have rescored users in between (the sweep runs meanwhile):
    /// each user still appears once, with one score, in the at-risk order.</summary>
    [Fact]
    public async Task TopAsync_UserRescoredBetweenRounds_AppearsOnce()
    {
        var shards = Layout("one shard holds the top", new Random(11));
        var calls = 0;

        var page = await AtRiskPageMerge.TopAsync(Shards, new AtRiskQuery(0, null, null, 50), (s, q) =>
        {
            var answer = Top(shards[s], q);
            if (s == 0 && Interlocked.Increment(ref calls) == 1)
            {
                // After its first answer, shard 0's top user falls a few places, into what a
                // second round reads.
                var ordered = shards[0].Order(AtRiskOrder.Instance).ToList();
                var top = ordered[0];
                shards[0].Remove(top);
                shards[0].Add(top with { Risk = top.Risk! with { Probability = ordered[answer.Count + 2].Risk!.Probability } });
            }

            return Task.FromResult(answer);
        });

        Assert.Equal(2, calls); // shard 0 held most of the page, so it was asked again
        Assert.Equal(page.Count, page.Select(e => e.UserId).Distinct().Count());
        Assert.Equal(page.Order(AtRiskOrder.Instance), page);
    }

    /// <summary>What an index shard answers (<c>ChurnIndexGrain.Top</c>): scored entries in the
    /// at-risk order, at or above the minimum, after the cursor, with the feature, at most the limit.</summary>
    private static IReadOnlyList<ChurnIndexEntry> Top(IEnumerable<ChurnIndexEntry> entries, AtRiskQuery query) =>
        [.. entries.Order(AtRiskOrder.Instance)
            .Where(e => e.Risk!.Probability >= query.MinProbability)
            .Where(e => query.After is null || query.After.Precedes(e.Risk!.Probability, e.UserId))
            .Where(e => query.Feature is null || e.Features.Contains(query.Feature))
            .Take(query.Limit)];

    private static List<ChurnIndexEntry>[] Layout(string layout, Random random)
    {
        var shards = Enumerable.Range(0, Shards).Select(_ => new List<ChurnIndexEntry>()).ToArray();
        var users = layout == "sparse" ? 40 : 3_000;
        for (var u = 0; u < users; u++)
        {
            var probability = layout switch
            {
                "ties" => random.Next(4) / 4f + 0.2f,
                _ => (float)random.NextDouble(),
            };
            var shard = layout == "one shard holds the top" && probability > 0.6 ? 0 : random.Next(Shards);
            string[] features = random.Next(2) == 0 ? ["search", "export"] : ["search"];
            shards[shard].Add(new ChurnIndexEntry($"user-{u:D5}", new ChurnRisk(probability, 1, 0, []), features));
        }

        return shards;
    }
}
