using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>
/// One shard of a tenant's at-risk index. Persisted behind rather than per score, and on
/// deactivation: a user joining within <see cref="ChurnOptions.IndexPersistInterval"/> (the sweep
/// can only rescore users it finds here), changed scores and features alone within
/// <see cref="ChurnOptions.IndexScorePersistInterval"/> (every tenant's sweep rescores all users,
/// and so pushes both again, after a restart).
/// A write that fails is tried again at the next turn of the timer (and on deactivation): what it
/// held stays unpersisted until one succeeds.
/// Threshold crossings are batched to the tenant's feed once a second, and kept until the feed
/// takes them, stored with the lines that made them (a feed lost with its silo gets them from its
/// next activation; a shard's own next activation publishes what it stored). A user crosses when
/// judged at risk (<see cref="ChurnIndexEntry.JudgedAtRisk"/>) after a line that was not, or that
/// falls below the new line's (raised) threshold: each line is judged with the threshold of its own
/// scoring, so a lowered threshold alerts the users it adds when the sweep rescores them, a user a
/// raised one left out is alerted when a score reaches it again, and a user is not alerted twice
/// for one rise.
/// </summary>
public sealed partial class ChurnIndexGrain(
    [PersistentState("churn-index", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<ChurnIndexState> state,
    TimeProvider time,
    IOptions<ChurnOptions> options,
    ILogger<ChurnIndexGrain> logger)
    : Grain, IChurnIndexGrain
{
    private static readonly TimeSpan PublishPeriod = TimeSpan.FromSeconds(1);

    // Half what the feed holds: a watcher would be far behind anyway, and the place the feed
    // marks for those dropped stays in it with them.
    private const int MaxPendingCrossings = 5_000;

    // Longer than a feed that is itself deactivating holds a publish (behind polls of 15 s at
    // most), so the last crossings are not stored and published twice on every graceful stop.
    private static readonly TimeSpan DeactivationPublishPatience = TimeSpan.FromSeconds(20);

    // Crossings the feed has not taken yet, and how many were dropped before it could.
    private readonly List<AtRiskCrossing> _crossings = [];
    private long _dropped;

    // The scored users in the at-risk order, so a page reads only what it returns. Scanning every
    // entry per query cost ~40 ms at 200k users (a cache miss per entry) and saturated the node.
    private readonly SortedSet<ChurnIndexEntry> _ranked = new(AtRiskOrder.Instance);

    // The at-risk count at the threshold last asked for, kept as scores change: every overview
    // asks for it, and counting every entry per call cost ~9% of the node at 200k users.
    private double _countedThreshold = double.NaN;
    private int _atRisk;
    private int _cancelled; // kept as lines change, as the at-risk count is
    private string _tenant = string.Empty;

    // Lines recorded, and users who joined, so far and as of the last successful write: a write
    // stores what was recorded before it began, and only its success marks that as persisted.
    private long _recorded;
    private long _joined;
    private long _persistedRecorded;
    private long _persistedJoined;
    private long _pendingChanges; // the waiting crossings changed other than by a Record
    private long _persistedPendingChanges;
    private DateTimeOffset _persistedAt;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _tenant = GrainKeys.Split(this.GetPrimaryKeyString()).Tenant;
        _persistedAt = time.GetUtcNow();
        foreach (var entry in state.State.Users.Values)
        {
            if (entry.Risk is not null)
            {
                _ranked.Add(entry);
            }

            _cancelled += entry.CancelledAtMs is null ? 0 : 1;
        }

        // Crossings the last activation stored before the feed took them: a stored line judged at
        // risk never makes its crossing again.
        _crossings.AddRange(state.State.PendingCrossings);
        _dropped = state.State.DroppedCrossings;
        this.RegisterGrainTimer(static (grain, ct) => grain.OnTimer(ct), this, new GrainTimerCreationOptions(PublishPeriod, PublishPeriod));
        return Task.CompletedTask;
    }

    public Task Record(ChurnIndexEntry entry)
    {
        var users = state.State.Users;
        users.TryGetValue(entry.UserId, out var previous);
        users[entry.UserId] = entry;
        _recorded++; // scores and features: the sweep's rescoring pushes both again
        if (previous is null)
        {
            _joined++;
        }

        if (previous?.Risk is not null)
        {
            _ranked.Remove(previous);
        }

        if (entry.Risk is not null)
        {
            _ranked.Add(entry);
        }

        _atRisk += (IsCounted(entry, _countedThreshold) ? 1 : 0) - (IsCounted(previous, _countedThreshold) ? 1 : 0);
        _cancelled += (entry.CancelledAtMs is null ? 0 : 1) - (previous?.CancelledAtMs is null ? 0 : 1);
        if (entry.JudgedAtRisk && !WasAtRiskBy(previous, entry.AlertThreshold))
        {
            _crossings.Add(new AtRiskCrossing(entry, previous?.Risk?.Probability));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ChurnIndexEntry>> Top(AtRiskQuery query)
    {
        var page = new List<ChurnIndexEntry>(Math.Min(query.Limit, 64));
        foreach (var entry in RankedFrom(query.After))
        {
            var risk = entry.Risk!;
            if (risk.Probability < query.MinProbability || page.Count == query.Limit)
            {
                break; // the order is by probability: nothing further qualifies
            }

            if ((query.After is null || query.After.Precedes(risk.Probability, entry.UserId))
                && (query.Feature is null || entry.Features.Contains(query.Feature, StringComparer.Ordinal)))
            {
                page.Add(entry);
            }
        }

        return Task.FromResult<IReadOnlyList<ChurnIndexEntry>>(page);
    }

    public Task<ChurnIndexCounts> Count(double threshold)
    {
        if (threshold != _countedThreshold)
        {
            // A new threshold (the tenant changed it): count once, from the top down.
            _countedThreshold = threshold;
            _atRisk = 0;
            foreach (var entry in _ranked)
            {
                if (entry.Risk!.Probability < threshold)
                {
                    break;
                }

                _atRisk += entry.JudgedAtRisk ? 1 : 0;
            }
        }

        return Task.FromResult(new ChurnIndexCounts(state.State.Users.Count, _ranked.Count, _atRisk, _cancelled));
    }

    public Task<IReadOnlyList<ChurnIndexEntry>> Page(string afterUserId, int limit) =>
        Task.FromResult<IReadOnlyList<ChurnIndexEntry>>([.. state.State.Users.Values
            .Where(e => string.CompareOrdinal(e.UserId, afterUserId) > 0)
            .OrderBy(e => e.UserId, StringComparer.Ordinal)
            .Take(limit)]);

    /// <summary>The ranked users from <paramref name="after"/> on (the cursor's own position
    /// included, when a user is there), without walking the ones before it.</summary>
    private SortedSet<ChurnIndexEntry> RankedFrom(AtRiskCursor? after)
    {
        if (after is null || _ranked.Count == 0)
        {
            return _ranked;
        }

        var position = new ChurnIndexEntry(after.UserId, new ChurnRisk(after.Probability, 0, 0, []), []);
        var last = _ranked.Max!;
        return _ranked.GetViewBetween(position, AtRiskOrder.Instance.Compare(position, last) > 0 ? position : last);
    }

    /// <summary>Whether a user's previous line was at risk by the threshold a new line is judged
    /// with: a raised threshold applies at once, so a line judged at risk below it was not, and a
    /// new line at or above it is a crossing (the sweep may not have rescored the user yet).</summary>
    private static bool WasAtRiskBy(ChurnIndexEntry? previous, double threshold) =>
        previous is { JudgedAtRisk: true } && previous.Risk!.Probability >= threshold;

    /// <summary>At risk as the index counts it: judged at risk when scored, and at or above the
    /// threshold asked for (a raised threshold counts at once; a lowered one as the sweep rescores).</summary>
    private static bool IsCounted(ChurnIndexEntry? entry, double threshold) =>
        entry is { JudgedAtRisk: true } && entry.Risk!.Probability >= threshold;

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The crossings first, so that what is stored holds only those the feed did not take; a
        // feed gone with a stopping silo is waited for a moment only, so the scores are written.
        await TryPublishAsync(DeactivationPublishPatience);
        if (_recorded != _persistedRecorded || _pendingChanges != _persistedPendingChanges)
        {
            await PersistAsync(time.GetUtcNow(), cancellationToken);
        }
    }

    private async Task OnTimer(CancellationToken cancellationToken)
    {
        // Publish, then write: a write after a publish stores only the crossings still waiting.
        await TryPublishAsync(patience: null);
        var now = time.GetUtcNow();
        var since = now - _persistedAt;
        // Crossings stored as waiting that the feed has since taken are written away soon too: a
        // crash would otherwise publish them again.
        if (((_joined != _persistedJoined || _pendingChanges != _persistedPendingChanges) && since >= options.Value.IndexPersistInterval)
            || (_recorded != _persistedRecorded && since >= options.Value.IndexScorePersistInterval))
        {
            try
            {
                await PersistAsync(now, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Still unpersisted: the next turn tries again.
                LogPersistFailed(logger, e, this.GetPrimaryKeyString());
            }
        }
    }

    /// <summary>Writes the shard, with the crossings still waiting for the feed; only then is what
    /// was recorded before the write persisted (a Record that lands while the write is out is not:
    /// it may have missed the write).</summary>
    private async Task PersistAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (recorded, joined, pendingChanges) = (_recorded, _joined, _pendingChanges);
        state.State.PendingCrossings.Clear();
        state.State.PendingCrossings.AddRange(_crossings);
        state.State.DroppedCrossings = _dropped;
        await state.WriteStateAsync(cancellationToken);
        (_persistedRecorded, _persistedJoined, _persistedPendingChanges, _persistedAt) = (recorded, joined, pendingChanges, now);
    }

    /// <summary>Sends the crossings recorded so far to the feed (after the place of any this shard
    /// had to drop); they stay here, and in what the shard stores, until it takes them. Past
    /// <paramref name="patience"/> the crossings stay too: the publish may still land, and they
    /// come twice.</summary>
    private async Task TryPublishAsync(TimeSpan? patience)
    {
        if (_crossings.Count == 0 && _dropped == 0)
        {
            return;
        }

        var batch = _crossings.ToArray();
        var dropped = _dropped;
        try
        {
            var feed = GrainFactory.GetGrain<IAtRiskFeedGrain>(_tenant);
            var publish = dropped > 0 ? feed.PublishAfterDropped(dropped, batch) : feed.Publish(batch);
            await (patience is { } wait ? publish.WaitAsync(wait) : publish);
            _crossings.RemoveRange(0, batch.Length);
            _dropped -= dropped;
            if (state.State.PendingCrossings.Count > 0 || state.State.DroppedCrossings > 0)
            {
                _pendingChanges++; // what is stored would publish them again
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Past MaxPendingCrossings the oldest go; the feed marks their place when it answers.
            var drop = Math.Max(0, _crossings.Count - MaxPendingCrossings);
            _crossings.RemoveRange(0, drop);
            _dropped += drop;
            _pendingChanges += drop > 0 ? 1 : 0;
            LogPublishFailed(logger, e, this.GetPrimaryKeyString(), _crossings.Count, _dropped);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "At-risk index shard {Shard} could not publish to the tenant's feed; {Pending} crossings kept for the next turn, {Dropped} oldest dropped (the feed will mark their place)")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string shard, int pending, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "At-risk index shard {Shard} could not be written; trying again at the next turn")]
    private static partial void LogPersistFailed(ILogger logger, Exception exception, string shard);
}
