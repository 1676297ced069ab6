using Orleans.Concurrency;

namespace ProductOps.Grains.Abstractions;

/// <summary>
/// One shard of a tenant's at-risk index: the latest score of every user of one event-log
/// partition (key: "tenant/partition", see <see cref="ChurnIndexKeys"/>). User grains push their
/// scores here; queries fan out over a tenant's shards and merge. Reads change nothing stored,
/// so they interleave rather than wait behind the shard's state write: a page asks every shard,
/// and a whole shard written to PostgreSQL can take hundreds of milliseconds under load. That
/// holds while they never await and never change the stored state: a storage provider may still
/// be serializing it.
/// </summary>
public interface IChurnIndexGrain : IGrainWithStringKey
{
    /// <summary>Records the user's latest line: a score, or (before any model) that the user
    /// exists, or that the user cancelled.</summary>
    Task Record(ChurnIndexEntry entry);

    /// <summary>Scored users matching the query, in the at-risk order (never one who cancelled).</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<ChurnIndexEntry>> Top(AtRiskQuery query);

    /// <summary>The shard's counts, at-risk meaning judged at risk when scored and a probability
    /// at or above <paramref name="threshold"/>.</summary>
    [AlwaysInterleave]
    Task<ChurnIndexCounts> Count(double threshold);

    /// <summary>Users after <paramref name="afterUserId"/> in ordinal user id order (scored or
    /// not), at most <paramref name="limit"/>: for exports and sweeps.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<ChurnIndexEntry>> Page(string afterUserId, int limit);
}
