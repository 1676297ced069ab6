using Microsoft.Extensions.Logging;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>
/// One user's live analytics. Snapshots (<see cref="UserState"/>) are written lazily (every N events
/// and on deactivation) through <see cref="StoredState{T}"/>; an activation catches up from the log,
/// so nothing between snapshots is ever lost. While active, the grain holds the snapshot's parts
/// and its ETag itself: a node holds a hundred thousand users, and each object less is ~30-50 bytes
/// of each of them.
/// New events schedule one rescoring <see cref="ChurnOptions.RescoreDelay"/> later (the silo's
/// <see cref="RescoreQueue"/> calls back, off the dispatch call), which pushes the score to the
/// tenant's at-risk index (or, for a user who cancelled, that they did: such a user is not scored).
/// </summary>
public sealed partial class UserGrain(UserGrainServices silo)
    : Grain, IUserGrain
{
    private static readonly TimeSpan DeactivationRescoreTimeout = TimeSpan.FromSeconds(2);
    private const string StateName = "user";
    private UserActivity _activity = null!; // read on activation
    private long _watermark; // the seq of the last event applied (a user lives in exactly one partition)
    private KeptDeltas _kept = new();
    private string? _etag;
    private bool _recordExists;
    private string _tenant = string.Empty;
    private string _userId = string.Empty;
    private int _partition;
    private int _unsaved;
    private bool _rescoreDue;

    // The queue's give-ups when the due rescoring was scheduled: a give-up since (perhaps of this
    // user's call back) lets the next event schedule again. (Fits beside the other small fields:
    // the activation is no larger.)
    private int _scheduledAtGiveUps;
    private bool _listedUnscored;
    private bool _discarded;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (var tenant, _userId) = GrainKeys.Split(this.GetPrimaryKeyString());
        _tenant = silo.Tenants.Canonical(tenant);
        var stored = new StoredState<UserState>(StateName);
        await stored.ReadAsync(silo.Storage, this.GetGrainId());
        _partition = PartitionMap.PartitionOf(_tenant, _userId, silo.Options.Partitions);
        // Upgraded while still the state's own, so no older form reaches the partition's journal.
        var state = stored.State;
        state.UpgradeKeptDeltas();
        (_activity, _watermark, _kept) = (state.Activity, state.Watermark, state.Kept);
        (_etag, _recordExists) = (stored.ETag, stored.RecordExists);
        _kept.AttachTo(silo.KeptDeltas.For(_partition));
        var missed = await CatchUpReadAsync(cancellationToken);
        if (missed.Count == 0)
        {
            return;
        }

        // Applied by an earlier activation after its last snapshot, and perhaps dispatched: keep
        // their deltas, the partition may ask for them again.
        var rules = silo.Tenants.RulesOf(_tenant);
        var builder = AppliedDeltasBuilder.Start();
        foreach (var e in missed)
        {
            ApplyNew(e, rules, builder);
        }

        _kept.AddNew(builder.Build());
        ScheduleRescore();
    }

    public ValueTask<AppliedDeltas> Apply(UserApplyRequest request)
    {
        AppliedDeltas result;
        try
        {
            result = ApplyInMemory(request);
        }
        catch (Exception e) when (e is not MissingDeltasException)
        {
            // Whatever failed, this activation may now hold events without their deltas, and the
            // partition's rewind would ask it for them again and again: it leaves without saving,
            // so the rewind meets an activation rebuilt from the snapshot and the log. (Missing
            // deltas are found before anything changes: that call leaves the state as it was.)
            _discarded = true;
            DeactivateOnIdle();
            throw;
        }

        return _unsaved >= silo.Options.UserSnapshotEvery ? SaveThenAnswer(result) : new ValueTask<AppliedDeltas>(result);
    }

    private async ValueTask<AppliedDeltas> SaveThenAnswer(AppliedDeltas result)
    {
        await SaveAsync();
        return result;
    }

    private AppliedDeltas ApplyInMemory(UserApplyRequest request)
    {
        // Deltas at or below the checkpoint will never be asked for again.
        _kept.DropThrough(request.Checkpoint);

        var rules = silo.Tenants.RulesOf(_tenant); // per call: settings change at run time
        var builder = AppliedDeltasBuilder.Start();
        var applied = false;
        for (var i = 0; i < request.Events.Count; i++)
        {
            var e = request.Events[i];
            if (e.Seq > _watermark)
            {
                ApplyNew(e, rules, builder);
                applied = true;
            }
            else if (_kept.TryFind(e.Seq, out var kept))
            {
                builder.Add(e.Seq, kept);
            }
            else
            {
                throw new MissingDeltasException(
                    $"user {this.GetPrimaryKeyString()}: no deltas kept for seq {e.Seq} (watermark {_watermark}, checkpoint {request.Checkpoint})");
            }
        }

        var result = builder.Build();
        if (applied)
        {
            _kept.AddNew(result);
            ScheduleRescore();
        }

        return result;
    }

    public Task<UserSnapshot> Get(long asOfMs) =>
        Task.FromResult(_activity.Snapshot(_userId, asOfMs, silo.Tenants.RulesOf(_tenant)));

    public async Task<UserChurnRisk> GetChurnRisk(long asOfMs)
    {
        var model = await silo.ChurnModels.GetAsync(_tenant);
        var activity = _activity; // no await from here on: one consistent state
        if (activity.FirstSeenMs is null)
        {
            return new UserChurnRisk(null, HasUsage: false, null, activity.HasEvents);
        }

        if (activity.CancelledAtMs is { } cancelledAt)
        {
            return new UserChurnRisk(null, HasUsage: true, cancelledAt, HasEvents: true);
        }

        // As the index's line: never before the user's own latest event, which a tenant clock
        // (a wall clock behind the client's) may trail.
        var asOf = Math.Max(asOfMs, activity.LastSeenMs ?? asOfMs);
        return new UserChurnRisk(model is null ? null : ChurnRiskScoring.Score(model, activity, asOf, explainFrom: 0), HasUsage: true, null, HasEvents: true);
    }

    public Task<bool> Rescore(RescoreRequest request) => RescoreAsync(request.AsOfMs, request);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_discarded)
        {
            return; // its state may not match the log: nothing of it is scored or stored
        }

        if (_rescoreDue)
        {
            await RescoreBeforeDeactivationAsync();
        }

        if (_unsaved > 0)
        {
            await SaveAsync();
        }
    }

    private void ApplyNew(LoggedEvent e, TenantRules rules, AppliedDeltasBuilder builder)
    {
        _activity.Apply(e.Event, rules, builder.Deltas);
        builder.EndEvent(e.Seq);
        _watermark = e.Seq;
        _unsaved++;
    }

    /// <summary>At most one rescoring per <see cref="ChurnOptions.RescoreDelay"/>: events arriving
    /// while one is due join it, unless the queue has given up on a call back since it was
    /// scheduled (it may have been this user's: then nothing would ever call back).</summary>
    private void ScheduleRescore()
    {
        var giveUps = silo.Rescores.GiveUps;
        if (_rescoreDue && _scheduledAtGiveUps == giveUps)
        {
            return;
        }

        _rescoreDue = true;
        _scheduledAtGiveUps = giveUps;
        silo.Rescores.Add(this.GetGrainId());
    }

    private async Task RescoreNowAsync()
    {
        _rescoreDue = false;
        await RescoreAsync(await silo.Clock.NowMsAsync(_tenant), sweep: null);
    }

    /// <summary>The debounce's call back. A rescoring that failed (the index shard's silo just died,
    /// the model registry could not be read) stays due and is tried again a delay later rather
    /// than left to the next day's sweep. Interleaved (see the interface); scoring itself has no
    /// await, so it sees one consistent state.</summary>
    public async Task RescoreIfDue()
    {
        if (!_rescoreDue || _discarded)
        {
            return; // rescored meanwhile (on deactivation), a call back for an earlier activation, or leaving unsaved
        }

        try
        {
            await RescoreNowAsync();
        }
        catch (Exception e)
        {
            if (e is TimeoutException or OrleansException)
            {
                LogRescoreDeferred(silo.Logger, e, _tenant, _userId);
            }
            else
            {
                LogRescoreFailed(silo.Logger, e, _tenant, _userId);
            }

            ScheduleRescore();
        }
    }

    /// <summary>The user's events past its snapshot. A log that cannot be read fails the activation
    /// with its cause in words the caller may be told (the store's own exception could not cross
    /// the wire, and would reach the caller as a codec failure, answered Internal).</summary>
    private async Task<IReadOnlyList<LoggedEvent>> CatchUpReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await silo.Log.ReadUserAsync(_partition, _tenant, _userId, _watermark, cancellationToken);
        }
        catch (EventLogException e)
        {
            LogCatchUpFailed(silo.Logger, e, _tenant, _userId);
            throw new LogReadFailedException($"{_tenant}/{_userId}: catching up from the event log failed ({e.Cause})", e.Cause);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Tenant}/{User}: catching up from the event log failed; the user cannot be read until it can")]
    private static partial void LogCatchUpFailed(ILogger logger, Exception exception, string tenant, string user);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rescore of {Tenant}/{User} did not reach the index; trying again shortly")]
    private static partial void LogRescoreDeferred(ILogger logger, Exception exception, string tenant, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rescore of {Tenant}/{User} failed; trying again after the delay")]
    private static partial void LogRescoreFailed(ILogger logger, Exception exception, string tenant, string user);

    /// <summary>Scores the user (explaining only at or above the alert threshold) and pushes the
    /// score to the user's index shard; before any model, pushes that the user exists; for a user
    /// who cancelled, pushes that instead of a score. A sweep's call (<paramref name="sweep"/>)
    /// scores with the model version and threshold the sweep names: this silo may not have seen
    /// the activation or the settings change yet. Returns whether the pushed line is what the
    /// sweep asked for (always true for the debounced rescoring).</summary>
    private async Task<bool> RescoreAsync(long asOfMs, RescoreRequest? sweep)
    {
        if (_activity.FirstSeenMs is null)
        {
            return true; // nothing to list until the user's first usage event
        }

        var model = sweep is null ? await silo.ChurnModels.GetAsync(_tenant) : await silo.ChurnModels.GetAsync(_tenant, sweep.ModelVersion);
        var threshold = sweep?.AlertThreshold ?? silo.Tenants.SettingsOf(_tenant).AlertThreshold;

        // No await from here to the push: the line is made from one consistent state.
        var activity = _activity;
        ChurnIndexEntry entry;
        if (activity.CancelledAtMs is { } cancelledAt)
        {
            entry = new ChurnIndexEntry(_userId, null, activity.FeatureNames(), CancelledAtMs: cancelledAt);
        }
        else if (model is null)
        {
            if (_listedUnscored)
            {
                return sweep is null; // nothing new for the index until there is a model
            }

            entry = new ChurnIndexEntry(_userId, null, activity.FeatureNames());
        }
        else
        {
            // The cached tenant clock may trail this user's own latest event by a moment.
            var asOf = Math.Max(asOfMs, activity.LastSeenMs ?? asOfMs);
            entry = new ChurnIndexEntry(_userId, ChurnRiskScoring.Score(model, activity, asOf, threshold), activity.FeatureNames(), threshold);
        }

        var index = GrainReferences.Get<IChurnIndexGrain>(GrainFactory, ChurnIndexKeys.For(_tenant, _partition));
        await index.Record(entry);
        _listedUnscored = entry.Risk is null && entry.CancelledAtMs is null;
        return sweep is null || entry.CancelledAtMs is not null || entry.Risk?.ModelVersion == sweep.ModelVersion;
    }

    private async Task RescoreBeforeDeactivationAsync()
    {
        try
        {
            // Briefly: on a stopping silo the index's answer may never arrive, and calls to this
            // user from other silos' partitions wait for the deactivation to end.
            await RescoreNowAsync().WaitAsync(DeactivationRescoreTimeout);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            // The tenant's next sweep rescores the user.
        }
    }

    private async Task SaveAsync()
    {
        var stored = new StoredState<UserState>(StateName)
        {
            State = UserState.Of(_activity, _watermark, _kept),
            ETag = _etag,
            RecordExists = _recordExists,
        };
        await stored.WriteAsync(silo.Storage, this.GetGrainId());
        (_etag, _recordExists) = (stored.ETag, stored.RecordExists);
        _unsaved = 0;
    }
}
