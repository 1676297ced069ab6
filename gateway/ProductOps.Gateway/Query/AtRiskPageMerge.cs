using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Query;

/// <summary>
/// One page of the at-risk order over all of a tenant's index shards. Users are spread evenly
/// over the shards, so a page's users are too: each shard is first asked for a small share of
/// the page, and only a shard that may hold more of it (it filled its share, and its last entry
/// still ranks inside the page) is asked again, for a whole page. The page is
/// exact either way; asking every shard for a whole page moved 32 pages over the wire (in a
/// cluster, serialized) to keep one.
/// </summary>
public static class AtRiskPageMerge
{
    /// <summary>Entries each shard is first asked for: its even share of the page, twice over,
    /// plus a few; with a page of 50 over 32 shards, 8, and a second round for about one page
    /// in a thousand.</summary>
    public static int FirstShare(int limit, int shards) => Math.Min(limit, (2 * limit / Math.Max(1, shards)) + 5);

    /// <summary>The page <paramref name="query"/> asks for, from <paramref name="shards"/> shards
    /// read by <paramref name="top"/> (the shard's index and its query).</summary>
    public static async Task<IReadOnlyList<ChurnIndexEntry>> TopAsync(int shards, AtRiskQuery query,
        Func<int, AtRiskQuery, Task<IReadOnlyList<ChurnIndexEntry>>> top)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(top);
        var share = FirstShare(query.Limit, shards);
        var first = await Task.WhenAll(Enumerable.Range(0, shards).Select(s => top(s, query with { Limit = share })));
        var merged = Merge(first, query.Limit);

        // A shard that filled its share may hold more entries ranking above the page's last one.
        var cutoff = merged.Count == query.Limit ? merged[^1] : null;
        var again = Enumerable.Range(0, shards)
            .Where(s => first[s].Count == share && share < query.Limit
                && (cutoff is null || AtRiskOrder.Instance.Compare(first[s][^1], cutoff) < 0))
            .ToList();
        if (again.Count == 0)
        {
            return merged;
        }

        // Asked again from the page's own start, whole: each shard's part of the page then comes
        // from one answer, so a user rescored between the two rounds cannot appear twice.
        var more = await Task.WhenAll(again.Select(s => top(s, query)));
        for (var i = 0; i < again.Count; i++)
        {
            first[again[i]] = more[i];
        }

        return Merge(first, query.Limit);
    }

    private static List<ChurnIndexEntry> Merge(IEnumerable<IReadOnlyList<ChurnIndexEntry>> pages, int limit) =>
        [.. pages.SelectMany(page => page).Order(AtRiskOrder.Instance).Take(limit)];
}
