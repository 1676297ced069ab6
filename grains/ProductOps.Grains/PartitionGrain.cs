using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Storage;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>
/// The one writer of an event-log partition, and its dispatcher.
/// Appends queue up while a commit is in flight and go out together in the next one (group
/// commit), each caller answered only once its events are durable. After commit, one loop
/// dispatches events in seq order: to user grains (which return each event's counter deltas),
/// then, rolled up, to feature and tenant grains. The loop lets a small backlog gather for a few
/// milliseconds, and computes off the grain's turn, so it neither sends a receiver call per
/// event nor holds up the appends (and acks) of its partition. Every <see cref="PipelineOptions.CheckpointInterval"/>
/// the loop makes the receivers it fed persist, checks they hold what was sent, and records the
/// checkpoint; a receiver that lost state makes the loop rewind to the checkpoint and re-send.
/// Committed events wait for dispatch in memory, up to <see cref="HeldCyclesOfEvents"/> cycles'
/// worth; a backlog past that (dispatch stalled or far behind) is read back from the log.
/// </summary>
[Reentrant]
public sealed partial class PartitionGrain(
    [PersistentState("partition", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<PartitionState> state,
    IEventLog log,
    IOptions<PipelineOptions> options,
    LocalPartitions local,
    DispatchMemory memory,
    PipelineMetrics metrics,
    ILocalSiloDetails silo,
    TimeProvider time,
    ILogger<PartitionGrain> logger)
    : Grain, IPartitionGrain
{
    /// <summary>
    /// How many cycles' worth of committed events (<see cref="PipelineOptions.MaxDispatchEvents"/>
    /// each) a partition holds in memory for dispatch: the cycle in flight and the next full one.
    /// A partition that keeps up never holds more; one further behind than that reads the rest from
    /// the log, a cycle per read, which costs little next to the cycle itself.
    /// </summary>
    public const int HeldCyclesOfEvents = 2;

    private static readonly TimeSpan FinalCheckpointTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan LagWarningEvery = TimeSpan.FromMinutes(1);
    private const int GatherEvents = 512;
    private readonly AsyncSignal _work = new();
    private readonly Dictionary<ReceiverKey, long> _lastSent = [];
    private readonly Dictionary<ReceiverKey, IAggregateGrain> _receivers = [];
    private readonly HashSet<ReceiverKey> _fedSinceCheckpoint = [];
    private readonly List<(long Target, TaskCompletionSource Done)> _drainWaiters = [];
    private readonly DispatchCycle.BuilderPool _rollUpBuilders = new();
    private List<PendingAppend> _appends = [];
    private HeldEvents _held = null!; // the newest committed events, for dispatch
    private PipelineMetrics.Progress _progress = null!; // what the metrics' gauges read
    private long _logOnlySinceMs; // commit time of the oldest undispatched event only the log holds (0: unknown or none)
    private long _lagWarnedAtMs;
    private bool _committing;
    private Task? _dispatching;
    private int _partition;
    private long _head;
    private long _dispatched;
    private bool _checkpointDue;
    private bool _deactivating;
    private long? _handedOffAtMs; // set when drained for a graceful stop: dispatch is the next activation's job

    private long Checkpoint => state.State.Checkpoint;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _partition = (int)this.GetPrimaryKeyLong();
        _dispatched = Checkpoint;
        try
        {
            _head = await log.GetHeadAsync(_partition, cancellationToken);
            if (_head > _dispatched)
            {
                // A backlog left by the last activation: only the log holds it, and its age is the lag.
                var next = await log.ReadAsync(_partition, _dispatched, 1, cancellationToken);
                _logOnlySinceMs = next.Count > 0 ? next[0].CommittedAtMs : 0;
            }
        }
        catch (EventLogException e)
        {
            // The caller learns why (its batch was not acked); the next call activates again, so
            // the partition serves once its store answers. (The store's own exception could not
            // cross the wire: the caller would get a codec failure, answered Internal.)
            LogOpenFailed(logger, e, _partition);
            throw CommitFailed(e);
        }

        _held = new HeldEvents((int)Math.Min(int.MaxValue, (long)HeldCyclesOfEvents * options.Value.MaxDispatchEvents));
        memory.Track(_partition, _held);
        _progress = metrics.Track(_partition);
        Publish();
        local.Add(_partition);
        // Every partition checkpoints on the same clock ticks, so the receivers they all feed are
        // asked to persist together and write once for all of them (see SharedWrite).
        var period = options.Value.CheckpointInterval;
        var periodMs = (long)period.TotalMilliseconds;
        var firstTick = TimeSpan.FromMilliseconds(periodMs - time.GetUtcNow().ToUnixTimeMilliseconds() % periodMs);
        this.RegisterGrainTimer(static (grain, _) => grain.OnCheckpointTimer(), this, new GrainTimerCreationOptions(firstTick, period) { Interleave = true });
        _dispatching = DispatchLoopAsync();
    }

    public async Task<AppendResult> Append(AppendRequest request)
    {
        var pending = new PendingAppend(request.Events);
        _appends.Add(pending);
        if (!_committing)
        {
            // Set before the loop starts: a commit that completes synchronously clears it in the
            // loop's finally, and must not leave the partition believing a loop still runs.
            _committing = true;
            _ = CommitLoopAsync();
        }

        return new AppendResult(await pending.Completion.Task);
    }

    public Task<PartitionStatus> GetStatus()
    {
        if (_dispatched >= _head)
        {
            return Task.FromResult(new PartitionStatus(_partition, _head, _dispatched, Checkpoint, 0, [], 0));
        }

        // Asked by a gateway's overviews, at most one ask on its way per gateway (they share
        // asks): a walk over what memory holds undispatched (two cycles at most), not a count
        // kept on the hot path.
        var oldest = PendingSinceMs();
        var byTenant = _held.PendingByTenant(_dispatched, out var held);
        var unattributedSince = _head - _dispatched > held ? oldest : 0; // never 0 with such a backlog: no tenant is told it is caught up meanwhile
        return Task.FromResult(new PartitionStatus(_partition, _head, _dispatched, Checkpoint, oldest, byTenant, unattributedSince));
    }

    /// <summary>The commit time of the next event to dispatch when it is held; else that of the
    /// oldest one dropped from memory undispatched (or a bound from the last cycle), so a stalled
    /// partition's lag is not read off the newest events it still holds. Never 0 while one is
    /// pending: when none of that is known (the head just reloaded, or a rewind with nothing
    /// held), now, so that nothing reports a backlog without its lag.</summary>
    private long PendingSinceMs()
    {
        if (_held.TryGet(_dispatched + 1, out var next))
        {
            return next.CommittedAtMs;
        }

        var bound = _logOnlySinceMs > 0 ? _logOnlySinceMs : _held.Oldest?.CommittedAtMs ?? 0;
        return bound > 0 ? bound : time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    public Task Ping() => Task.CompletedTask;

    public Task Drain(SiloAddress stoppingSilo)
    {
        if (!stoppingSilo.Equals(silo.SiloAddress))
        {
            // Not the activation the stopping silo holds (there briefly were two): handing off here
            // would leave everything this one commits from now on undispatched for good.
            LogDrainElsewhere(logger, _partition, stoppingSilo, silo.SiloAddress);
            return Task.CompletedTask;
        }

        // The head when asked, not the head when done: appends keep arriving meanwhile.
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _drainWaiters.Add((_head, drained));
        _checkpointDue = true;
        _work.Set();
        return drained.Task;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating = true;
        _work.Set();
        try
        {
            if (_dispatching is not null)
            {
                await _dispatching.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            local.Remove(_partition);
            memory.Untrack(_partition, _held);
            metrics.Untrack(_partition, _progress);
        }
    }

    private Task OnCheckpointTimer()
    {
        if (_handedOffAtMs is { } handedOffAt
            && time.GetUtcNow().ToUnixTimeMilliseconds() - handedOffAt >= (long)options.Value.HandOffTimeout.TotalMilliseconds)
        {
            // Its silo did not stop after all: nothing else will dispatch what this one commits.
            _handedOffAtMs = null;
            LogHandOffExpired(logger, _partition, options.Value.HandOffTimeout);
        }

        _checkpointDue = true;
        _work.Set();
        return Task.CompletedTask;
    }

    /// <summary>Commits everything queued, then whatever queued meanwhile, until the queue is empty.</summary>
    private async Task CommitLoopAsync()
    {
        try
        {
            while (_appends.Count > 0)
            {
                var batch = _appends;
                _appends = [];
                await CommitAsync(batch);
            }
        }
        finally
        {
            _committing = false;
        }
    }

    private async Task CommitAsync(List<PendingAppend> batch)
    {
        var events = batch.Count == 1 ? batch[0].Events : Concat(batch);
        try
        {
            var started = time.GetTimestamp();
            var outcome = await log.AppendAsync(_partition, _head, events, time.GetUtcNow().ToUnixTimeMilliseconds());
            _head = outcome.Head;
            Hold(outcome.Logged);
            metrics.Committed(outcome.Logged.Count, time.GetElapsedTime(started));
            Publish();
            _work.Set();
            var offset = 0;
            foreach (var append in batch)
            {
                append.Completion.SetResult(outcome.Duplicate[offset..(offset + append.Events.Count)]);
                offset += append.Events.Count;
            }
        }
        catch (Exception e)
        {
            LogCommitFailed(logger, e, _partition, events.Count);
            metrics.CommitFailed();
            var failed = CommitFailed(e);
            foreach (var append in batch)
            {
                append.Completion.TrySetException(failed); // nothing was acked: the client retries with the same ids
            }

            if (e is LogFencedException)
            {
                // Another activation writes this partition now (a moment after a silo failure): give way.
                DeactivateOnIdle();
            }

            await ReloadHeadAsync();
        }
    }

    /// <summary>What a caller is told of a failed commit: the store's failure in words (no
    /// path), else the failure's type and message, as the silo's log has it.</summary>
    private CommitFailedException CommitFailed(Exception e) => e is EventLogException failed
        ? new($"partition {_partition}: commit failed ({failed.Cause})", failed.Cause)
        : new($"partition {_partition}: commit failed ({e.GetType().Name}: {e.Message})");

    /// <summary>Holds a commit's events for dispatch; past the cap the oldest go, and dispatch
    /// reads them from the log.</summary>
    private void Hold(IReadOnlyList<LoggedEvent> logged)
    {
        if (_held.Add(logged, _dispatched) is not { } spilled)
        {
            return;
        }

        if (_logOnlySinceMs == 0)
        {
            _logOnlySinceMs = spilled.CommittedAtMs;
        }

        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_lagWarnedAtMs == 0 || nowMs - _lagWarnedAtMs >= (long)LagWarningEvery.TotalMilliseconds)
        {
            _lagWarnedAtMs = nowMs;
            LogDispatchBehind(logger, _partition, _head - _dispatched, _held.Capacity);
        }
    }

    private static List<TrackedEvent> Concat(List<PendingAppend> batch)
    {
        var total = 0;
        foreach (var append in batch)
        {
            total += append.Events.Count;
        }

        var events = new List<TrackedEvent>(total);
        foreach (var append in batch)
        {
            events.AddRange(append.Events);
        }

        return events;
    }

    /// <summary>Reads the head again from the log; false when that failed (the head is unchanged).</summary>
    private async Task<bool> ReloadHeadAsync()
    {
        var reloaded = false;
        try
        {
            _head = await log.GetHeadAsync(_partition);
            reloaded = true;
        }
        catch (Exception e)
        {
            LogCommitFailed(logger, e, _partition, 0);
        }

        Publish();
        _work.Set();
        return reloaded;
    }

    private async Task DispatchLoopAsync()
    {
        while (!_deactivating)
        {
            try
            {
                if (_checkpointDue)
                {
                    // Due even with a backlog: under steady load the loop may never catch up
                    // exactly, and users keep every delta above the checkpoint until it moves.
                    _checkpointDue = false;
                    await CheckpointAsync();
                }
                else if (_dispatched < _head && _handedOffAtMs is null)
                {
                    await GatherAsync();
                    await DispatchNextAsync();
                    if (_drainWaiters.Exists(w => w.Target <= _dispatched))
                    {
                        _checkpointDue = true;
                    }
                }
                else
                {
                    await _work.WaitAsync();
                }
            }
            catch (Exception e)
            {
                // A receiver or user grain was unreachable (e.g. its silo died): start over from the
                // checkpoint at the next tick; receivers drop what they already hold.
                LogDispatchFailed(logger, e, _partition, _dispatched, Checkpoint);
                if (e is MissingDeltasException || e is InconsistentStateException || e.InnerException is InconsistentStateException)
                {
                    await ReloadCheckpointAsync();
                }

                Rewind();
                await _work.WaitAsync();
            }
        }

        // Leave as little as possible to re-dispatch, but only briefly: receivers may be
        // deactivating too, and appends wait for this activation to go; the next activation
        // re-dispatches from the last checkpoint anyway.
        try
        {
            await CheckpointAsync().WaitAsync(FinalCheckpointTimeout);
        }
        catch (Exception e)
        {
            LogDispatchFailed(logger, e, _partition, _dispatched, Checkpoint);
        }
    }

    /// <summary>
    /// Lets a small backlog grow for a moment (at most <see cref="PipelineOptions.DispatchGatherDelay"/> after its oldest
    /// commit) before dispatching it: every cycle costs one call per receiver it touches, so cycles
    /// of a single commit's worth of events cost about one receiver call per event.
    /// </summary>
    private async Task GatherAsync()
    {
        if (_head - _dispatched >= GatherEvents || _checkpointDue || _deactivating || _drainWaiters.Count > 0
            || !_held.TryGet(_dispatched + 1, out var next))
        {
            return; // a full cycle, or a reason not to wait, or a backlog that is already old (read from the log)
        }

        var wait = next.CommittedAtMs + (long)options.Value.DispatchGatherDelay.TotalMilliseconds - time.GetUtcNow().ToUnixTimeMilliseconds();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(wait), time);
        }
    }

    private async Task DispatchNextAsync()
    {
        var started = time.GetTimestamp();
        var (events, upTo) = await NextEventsAsync();
        if (events.Count == 0)
        {
            // The head ran ahead of the log (a commit failed after all), or retention deleted
            // events never dispatched (a cluster stopped for longer than it with a backlog).
            if (await ReloadHeadAsync() && upTo <= _head && (await log.ReadAsync(_partition, _dispatched, 1)).Count == 0)
            {
                SkipDeleted(upTo);
            }

            return;
        }

        // The cycle's pure computations (grouping, roll-up) run off the grain's turn, so appends
        // to this partition keep being committed and acked meanwhile.
        var factory = GrainFactory; // Orleans hands it out on the grain's turn only
        var shares = await Task.Run(() => UserShare.Split(events, (tenant, user) => GrainReferences.Get<IUserGrain>(factory, tenant, user)));
        await ApplyAllAsync(shares);

        var cycle = await Task.Run(() => new DispatchCycle(events, shares, _rollUpBuilders));
        var held = await SendAllAsync(cycle);
        cycle.Release();
        if (!held)
        {
            LogReceiverLost(logger, _partition, Checkpoint);
            Rewind();
            return;
        }

        _dispatched = cycle.UpToSeq;
        _held.DropThrough(_dispatched);
        // Still behind what memory holds: the cycle's last commit time bounds the next event's.
        _logOnlySinceMs = _dispatched < _head && !_held.TryGet(_dispatched + 1, out _) ? events[^1].CommittedAtMs : 0;
        metrics.Dispatched(_partition, events.Count, time.GetElapsedTime(started));
        Publish();
    }

    /// <summary>Every user's Apply, in bounded fan-out: a burst of users never seen before would
    /// otherwise start thousands of activations (each reading its log rows) at once and time them out.</summary>
    private async Task ApplyAllAsync(List<UserShare> shares)
    {
        var limit = options.Value.MaxConcurrentUserCalls;
        for (var start = 0; start < shares.Count; start += limit)
        {
            var first = start;
            await CallsInTurn.SendAndAwaitAsync(
                Math.Min(limit, shares.Count - first),
                k => shares[first + k].Grain.Apply(new UserApplyRequest(shares[first + k].Events, Checkpoint)),
                (k, deltas) => shares[first + k].Deltas = deltas);
        }
    }

    /// <summary>Sends every receiver its roll-up; false when one has lost state and the partition
    /// must rewind.</summary>
    private async Task<bool> SendAllAsync(DispatchCycle cycle)
    {
        var receivers = cycle.Receivers.ToArray();
        var partial = new List<(ReceiverKey Receiver, long Watermark)>();
        var lost = false;
        await CallsInTurn.SendAndAwaitAsync(
            receivers.Length,
            i =>
            {
                var (counters, info, events) = cycle.RollUpOf(receivers[i]);
                var required = _lastSent.GetValueOrDefault(receivers[i], -1);
                return Receiver(receivers[i]).Receive(new AggregateDelta(_partition, required, cycle.FromSeq, cycle.UpToSeq, counters, info, events));
            },
            (i, outcome) =>
            {
                if (outcome.Status == ReceiveStatus.Partial)
                {
                    partial.Add((receivers[i], outcome.Watermark));
                }
                else
                {
                    lost |= !TryRecordSent(receivers[i], cycle, outcome.Status);
                }
            });

        if (lost || partial.Count == 0)
        {
            return !lost; // a rewind re-sends everything anyway
        }

        // These persisted part of the range before a restart: send each exactly the rest.
        await CallsInTurn.SendAndAwaitAsync(
            partial.Count,
            i =>
            {
                var (counters, info, events) = cycle.RollUpOf(partial[i].Receiver, partial[i].Watermark);
                return Receiver(partial[i].Receiver).Receive(new AggregateDelta(_partition, -1, partial[i].Watermark, cycle.UpToSeq, counters, info, events));
            },
            (i, outcome) => lost |= !TryRecordSent(partial[i].Receiver, cycle, outcome.Status));
        return !lost;
    }

    /// <summary>Records that the receiver now holds the cycle; false for a gap (it lost state).</summary>
    private bool TryRecordSent(ReceiverKey receiver, DispatchCycle cycle, ReceiveStatus status)
    {
        if (status == ReceiveStatus.Gap)
        {
            return false;
        }

        _lastSent[receiver] = cycle.UpToSeq;
        _fedSinceCheckpoint.Add(receiver);
        return true;
    }

    /// <summary>The next events to dispatch: from memory when it holds them, else from the log up
    /// to the oldest event memory holds; and the end of the seqs asked for.</summary>
    private async Task<(IReadOnlyList<LoggedEvent> Events, long UpTo)> NextEventsAsync()
    {
        var max = options.Value.MaxDispatchEvents;
        if (_held.Take(_dispatched, max) is { } held)
        {
            return (held, held[^1].Seq);
        }

        var upTo = _held.Oldest is { } oldest && oldest.Seq > _dispatched ? oldest.Seq - 1 : _head;
        var count = (int)Math.Min(max, upTo - _dispatched);
        return (await log.ReadAsync(_partition, _dispatched, count), _dispatched + count);
    }

    /// <summary>Dispatch moves past seqs the log no longer holds though its head covers them: what
    /// retention deleted undispatched. Reads skip such seqs where later ones follow; here none
    /// did, and reading again would find nothing, without pause, until the next commit.</summary>
    private void SkipDeleted(long upTo)
    {
        LogDeletedSkipped(logger, _partition, _dispatched + 1, upTo);
        _dispatched = upTo;
        _held.DropThrough(_dispatched);
        _logOnlySinceMs = 0;
        Publish();
    }

    private async Task CheckpointAsync()
    {
        if (_dispatched == Checkpoint && _fedSinceCheckpoint.Count == 0)
        {
            ReleaseDrainWaiters();
            return;
        }

        var fed = _fedSinceCheckpoint.ToList();
        var held = await Task.WhenAll(fed.Select(receiver => Receiver(receiver).Flush(_partition)));
        for (var i = 0; i < fed.Count; i++)
        {
            if (held[i] < _lastSent.GetValueOrDefault(fed[i], -1))
            {
                LogReceiverLost(logger, _partition, Checkpoint);
                Rewind();
                return;
            }
        }

        await StoreCheckpointAsync(_dispatched);
        _fedSinceCheckpoint.Clear();
        _lastSent.Clear();
        _receivers.Clear();
        ReleaseDrainWaiters();
    }

    /// <summary>
    /// User grains drop the deltas at or below the checkpoint they are sent, so the checkpoint in
    /// memory must never run ahead of the stored one: a write that failed leaves it where it was.
    /// </summary>
    private async Task StoreCheckpointAsync(long checkpoint)
    {
        var stored = state.State.Checkpoint;
        state.State.Checkpoint = checkpoint;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Checkpoint = stored;
            throw;
        }

        local.Stored(_partition, checkpoint);
    }

    /// <summary>
    /// Another activation of this partition (briefly two exist around a silo failure) stored a
    /// later checkpoint, so users have dropped deltas this one would ask for: read it again.
    /// </summary>
    private async Task ReloadCheckpointAsync()
    {
        try
        {
            await state.ReadStateAsync();
        }
        catch (Exception e)
        {
            LogCheckpointReloadFailed(logger, e, _partition); // the next failure tries again
        }
    }

    /// <summary>Answers the drains whose target the stored checkpoint has reached. From then on
    /// the partition only commits: its silo is stopping, and whatever it commits meanwhile is
    /// dispatched by the next activation, so this one's deactivation never waits on a cycle whose
    /// receivers are going away too.</summary>
    private void ReleaseDrainWaiters()
    {
        foreach (var waiter in _drainWaiters.Where(w => w.Target <= Checkpoint))
        {
            waiter.Done.TrySetResult();
        }

        if (_drainWaiters.RemoveAll(w => w.Target <= Checkpoint) > 0)
        {
            _handedOffAtMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        }
    }

    private void Rewind()
    {
        _dispatched = Checkpoint;
        _lastSent.Clear();
        if (_dispatched < _head && !_held.TryGet(_dispatched + 1, out _) && _logOnlySinceMs == 0)
        {
            // What it re-sends is in the log only now, committed before anything still held: a
            // bound on its age until the next cycle reads it, so the lag does not read 0 meanwhile.
            _logOnlySinceMs = _held.Oldest?.CommittedAtMs ?? time.GetUtcNow().ToUnixTimeMilliseconds();
        }

        Publish();
    }

    /// <summary>Tells the metrics where the partition stands, each time its head or dispatch moves.</summary>
    private void Publish() => _progress.Set(_head - _dispatched, _dispatched < _head ? PendingSinceMs() : 0);

    /// <summary>Kept from cycle to cycle, since a cycle sends to much the same receivers as the last
    /// and a reference costs a key and an id; cleared at each checkpoint, so it holds only the
    /// receivers fed since. (A reference names a grain, not an activation: it never goes stale.)</summary>
    private IAggregateGrain Receiver(ReceiverKey key)
    {
        if (!_receivers.TryGetValue(key, out var grain))
        {
            _receivers.Add(key, grain = key.IsTenant
                ? GrainReferences.Get<ITenantGrain>(GrainFactory, key.Tenant)
                : GrainReferences.Get<IFeatureGrain>(GrainFactory, key.Tenant, key.Feature));
        }

        return grain;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: commit of {Count} events failed; nothing was acknowledged")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, int partition, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: its event log cannot be opened; nothing is committed until it can (tried again at the next call)")]
    private static partial void LogOpenFailed(ILogger logger, Exception exception, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: dispatch after seq {Dispatched} failed; rewinding to checkpoint {Checkpoint}")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception, int partition, long dispatched, long checkpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: could not re-read its stored checkpoint")]
    private static partial void LogCheckpointReloadFailed(ILogger logger, Exception exception, int partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: drain for stopping silo {Stopping} reached the activation on {Here}; it goes on dispatching")]
    private static partial void LogDrainElsewhere(ILogger logger, int partition, SiloAddress stopping, SiloAddress here);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: drained for a stop, but still active {Timeout} after; dispatching again")]
    private static partial void LogHandOffExpired(ILogger logger, int partition, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: dispatch is {Behind} events behind its commits, past the {Held} it holds in memory; it reads the rest from the log (said at most once a minute)")]
    private static partial void LogDispatchBehind(ILogger logger, int partition, long behind, int held);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: seqs {From} to {To} were committed but are no longer in the log (deleted by retention before dispatch); skipped")]
    private static partial void LogDeletedSkipped(ILogger logger, int partition, long from, long to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: a receiver lost state; re-dispatching from checkpoint {Checkpoint}")]
    private static partial void LogReceiverLost(ILogger logger, int partition, long checkpoint);

    private sealed class PendingAppend(IReadOnlyList<TrackedEvent> events)
    {
        public IReadOnlyList<TrackedEvent> Events { get; } = events;

        public TaskCompletionSource<bool[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
