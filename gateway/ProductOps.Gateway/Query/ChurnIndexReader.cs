using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Query;

/// <summary>Reads a tenant's at-risk index: fans a query out to every shard and merges in the
/// shards' common order (<see cref="AtRiskPageMerge"/>).</summary>
public sealed class ChurnIndexReader(IGrainFactory grains, IOptions<PipelineOptions> pipeline)
{
    private const int ExportPageSize = 1000;

    /// <summary>The query's page over the whole tenant: each shard's page, merged in the at-risk order.</summary>
    public Task<IReadOnlyList<ChurnIndexEntry>> TopAsync(string tenant, AtRiskQuery query)
    {
        var shards = Shards(tenant).ToList();
        return AtRiskPageMerge.TopAsync(shards.Count, query, (shard, shardQuery) => shards[shard].Top(shardQuery));
    }

    /// <summary>The tenant's users, scored users and users at or above <paramref name="threshold"/>.</summary>
    public async Task<ChurnIndexCounts> CountAsync(string tenant, double threshold)
    {
        var counts = await Task.WhenAll(Shards(tenant).Select(shard => shard.Count(threshold)));
        return counts.Aggregate(ChurnIndexCounts.Zero, (sum, shard) => sum.Plus(shard));
    }

    /// <summary>Every scored user, shard after shard, one page in memory at a time.</summary>
    public IAsyncEnumerable<ChurnIndexEntry> ScoredAsync(string tenant, CancellationToken cancellationToken) =>
        LinesAsync(tenant, static e => e.Risk is not null, cancellationToken);

    /// <summary>Every user with a prediction: scored, or cancelled (which says why there is no
    /// score). Users not scored yet are left out.</summary>
    public IAsyncEnumerable<ChurnIndexEntry> PredictionsAsync(string tenant, CancellationToken cancellationToken) =>
        LinesAsync(tenant, static e => e.Risk is not null || e.CancelledAtMs is not null, cancellationToken);

    private async IAsyncEnumerable<ChurnIndexEntry> LinesAsync(
        string tenant, Func<ChurnIndexEntry, bool> include, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var shard in Shards(tenant))
        {
            var after = string.Empty;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = await shard.Page(after, ExportPageSize);
                foreach (var entry in page.Where(include))
                {
                    yield return entry;
                }

                if (page.Count < ExportPageSize)
                {
                    break;
                }

                after = page[^1].UserId;
            }
        }
    }

    private IEnumerable<IChurnIndexGrain> Shards(string tenant) => ChurnIndexKeys.ShardsOf(grains, tenant, pipeline.Value.Partitions);
}
