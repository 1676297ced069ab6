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

    /// <summary>The user's churn risk at <paramref name="asOfMs"/> (or at the user's latest event,
    /// if later) by the tenant's active model, explained; none for a user without usage, a user who cancelled, or a tenant without an
    /// active model (the answer tells which).</summary>
    [AlwaysInterleave]
    Task<UserChurnRisk> GetChurnRisk(long asOfMs);

    /// <summary>The sweep's call for every user: scores the user as the request says, with the
    /// model version it names (re-reading the registry first when this silo holds another) and
    /// its alert threshold, and pushes the score to the tenant's at-risk index. True when the
    /// user's line now carries that version and threshold, or needs no score (no usage yet,
    /// cancelled); false when the registry's active model is not the one the sweep expected.</summary>
    Task<bool> Rescore(RescoreRequest request);

    /// <summary>The silo's rescore queue calling back: rescores the user if new events made it due
    /// (else nothing). Interleaved: a slow index shard or tenant clock must never hold up the
    /// partition's Apply.</summary>
    [AlwaysInterleave]
    Task RescoreIfDue();
}
