using Orleans.Concurrency;
using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

/// <summary>One user's live state (key: "tenant/user"), a deterministic state machine over the
/// user's events in log order. Reads change nothing, so they interleave rather than wait behind a
/// snapshot write.</summary>
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Applies events of the user's partition, in seq order, and returns the counter deltas
    /// each caused, in request order. Events at or below the grain's watermark are not applied
    /// again: their deltas are returned as first computed, so a re-dispatch yields the same answer.
    /// A <see cref="ValueTask{TResult}"/>, so that an Apply with no snapshot to write completes
    /// without allocating a task.</summary>
    ValueTask<AppliedDeltas> Apply(UserApplyRequest request);

    /// <summary>The user's analytics at the tenant clock's now.</summary>
    [AlwaysInterleave]
    Task<UserSnapshot> Get(long asOfMs);

    /// <summary>The user's churn risk at <paramref name="asOfMs"/> by the tenant's active model;
    /// null when the tenant has no active model or the user no usage yet.</summary>
    [AlwaysInterleave]
    Task<ChurnRisk?> GetChurnRisk(long asOfMs);

    /// <summary>Scores the user at <paramref name="asOfMs"/> (or the user's latest event, if later)
    /// and pushes the score to the tenant's at-risk index: the sweep's call for every user.</summary>
    Task Rescore(long asOfMs);

    /// <summary>The silo's rescore queue calling back: rescores the user if new events made it due
    /// (else nothing). Interleaved: a slow index shard or tenant clock must never hold up the
    /// partition's Apply.</summary>
    [AlwaysInterleave]
    Task RescoreIfDue();
}
