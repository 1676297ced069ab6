using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>One tenant's counters, feature list, event clock and ingestion counters.</summary>
public sealed class TenantGrain : Grain, ITenantGrain, IGrainMigrationParticipant
{
    private static readonly TimeSpan IngestionFlushPeriod = TimeSpan.FromSeconds(5);
    private readonly IPersistentState<TenantState> _state;
    private readonly TenantDirectory _tenants;
    private readonly TimeProvider _time;
    private readonly ReceiverCounters<TenantState> _counters;
    private readonly SharedWrite _persist;
    private long _lastDispatchLagMs;

    // Features admitted for events not dispatched yet (see AdmitFeatures). Held in memory only: a
    // restart forgets those not dispatched by then, so the limit may be passed by that many.
    private readonly HashSet<string> _admitted = new(StringComparer.Ordinal);

    public TenantGrain(
        [PersistentState("tenant", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<TenantState> state,
        [FromKeyedServices(StorageSiloBuilderExtensions.GrainStorageName)] IGrainStorage storage,
        IOptions<PipelineOptions> options,
        TenantDirectory tenants,
        TimeProvider time)
    {
        _state = state;
        _tenants = tenants;
        _time = time;
        _counters = new ReceiverCounters<TenantState>(state, "tenant-history", storage, options.Value.ReceiverHistoryRewriteAfter);
        _persist = new SharedWrite(() => _counters.WriteAsync(this.GetGrainId()));
    }

    private TenantRules Rules => _tenants.RulesOf(this.GetPrimaryKeyString());

    private CounterSet Counters => _counters.Set;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await _counters.LoadAsync(this.GetGrainId());

        // Ingestion counters arrive without dispatches (e.g. only duplicates): persist them on their own.
        this.RegisterGrainTimer(
            static (grain, _) => grain._persist.RunAsync(),
            this,
            new GrainTimerCreationOptions(IngestionFlushPeriod, IngestionFlushPeriod) { Interleave = false });
    }

    public ValueTask<ReceiveOutcome> Receive(AggregateDelta delta) =>
        _persist.ChangeAsync((Grain: this, Delta: delta), static call => call.Grain.Apply(call.Delta));

    private ReceiveOutcome Apply(AggregateDelta delta)
    {
        var outcome = _state.State.Ledger.Decide(delta);
        if (outcome.Status == ReceiveStatus.Applied)
        {
            var tenant = _state.State;
            Counters.AddAll(delta.Counters);
            var features = delta.Info.Features;
            for (var i = 0; i < features.Count; i++) // by index: UnionWith would allocate an enumerator
            {
                if (tenant.Features.Add(features[i]) && _admitted.Count > 0)
                {
                    _admitted.Remove(features[i]);
                }
            }

            tenant.LatestEventMs = Math.Max(tenant.LatestEventMs, delta.Info.LatestEventMs);
            _lastDispatchLagMs = Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds() - delta.Info.OldestCommittedAtMs);
            _persist.Changed();
        }

        return outcome;
    }

    public async Task<long> Flush(int partition)
    {
        await _persist.RunAsync();
        return _state.State.Ledger.WatermarkOf(partition);
    }

    public Task<TenantNow> GetNow()
    {
        var now = NowMs();
        return Task.FromResult(new TenantNow(now, ActiveUsersAt(now)));
    }

    public Task<ActiveUsers> GetActiveUsers(long asOfMs) => Task.FromResult(ActiveUsersAt(asOfMs));

    private ActiveUsers ActiveUsersAt(long ms) =>
        ActiveUsers.OfTenant(Counters, TimeBuckets.DayOf(ms)) with { Version = _state.State.Ledger.Version() };

    public Task<TenantOverview> GetOverview(TimeRange range) => Task.FromResult(new TenantOverview(
        TenantActivity.From(Counters, range, lastDay: TimeBuckets.DayOf(Math.Max(NowMs(), _state.State.LatestEventMs))),
        _state.State.Ingestion,
        _lastDispatchLagMs,
        NowMs(),
        Rules.Clock,
        _state.State.Ledger.Version()));

    public Task<IReadOnlyList<string>> GetFeatures() =>
        Task.FromResult<IReadOnlyList<string>>([.. _state.State.Features.Order(StringComparer.Ordinal)]);

    public Task<IReadOnlyList<string>> AdmitFeatures(IReadOnlyList<string> names, int maxFeatures)
    {
        ArgumentNullException.ThrowIfNull(names);
        var known = _state.State.Features;
        var admitted = new List<string>(names.Count);
        foreach (var name in names)
        {
            if (known.Contains(name) || _admitted.Contains(name) || (known.Count + _admitted.Count < maxFeatures && _admitted.Add(name)))
            {
                admitted.Add(name);
            }
        }

        return Task.FromResult<IReadOnlyList<string>>(admitted);
    }

    public Task RecordIngestion(IngestionCounts counts) =>
        _persist.ChangeAsync((Grain: this, Counts: counts), static call => call.Grain.AddIngestion(call.Counts)).AsTask();

    private bool AddIngestion(IngestionCounts counts)
    {
        _state.State.Ingestion = _state.State.Ingestion.Plus(counts);
        _persist.Changed();
        return true;
    }

    public Task<CounterSet> GetCounters() => Task.FromResult(Counters.Copy());

    public void OnDehydrate(IDehydrationContext dehydrationContext) => _counters.OnDehydrate(dehydrationContext);

    public void OnRehydrate(IRehydrationContext rehydrationContext) => _counters.OnRehydrate(rehydrationContext);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _persist.RunAsync();

    /// <summary>The tenant clock's now. An event clock before any event reads the wall clock: there is
    /// no latest event to stand at, and 1970 would be no better a guess.</summary>
    private long NowMs() => Rules.Clock == TenantClock.Event && _state.State.LatestEventMs != long.MinValue
        ? _state.State.LatestEventMs
        : _time.GetUtcNow().ToUnixTimeMilliseconds();
}
