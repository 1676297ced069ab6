namespace ProductOps.Storage;

/// <summary>What <see cref="RecentEventKeys.ViewOfUser"/> saw, in one moment: where the on-disk
/// dedup index ends, how far the recent keys are complete, and one user's recent seqs.</summary>
internal sealed record RecentView(long MergedThrough, long KnownHead, IReadOnlyList<long> Seqs);
