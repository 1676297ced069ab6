using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>One tenant's counters, feature list, event clock and ingestion counters.</summary>
public sealed class TenantGrain(
    [PersistentState("tenant", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<TenantState> state,
    TenantDirectory tenants,
    TimeProvider time)
    : Grain, ITenantGrain
{
    private static readonly TimeSpan IngestionFlushPeriod = TimeSpan.FromSeconds(5);
    private readonly SharedWrite _persist = new(() => state.WriteStateAsync());
    private long _lastDispatchLagMs;

    private TenantRules Rules => tenants.RulesOf(this.GetPrimaryKeyString());

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Ingestion counters arrive without dispatches (e.g. only duplicates): persist them on their own.
        this.RegisterGrainTimer(
            static (grain, _) => grain._persist.RunAsync(),
            this,
            new GrainTimerCreationOptions(IngestionFlushPeriod, IngestionFlushPeriod) { Interleave = false });
        return Task.CompletedTask;
    }

    public ValueTask<ReceiveOutcome> Receive(AggregateDelta delta) =>
        _persist.ChangeAsync((Grain: this, Delta: delta), static call => call.Grain.Apply(call.Delta));

    private ReceiveOutcome Apply(AggregateDelta delta)
    {
        var outcome = state.State.Ledger.Decide(delta);
        if (outcome.Status == ReceiveStatus.Applied)
        {
            var tenant = state.State;
            tenant.Counters.AddAll(delta.Counters);
            var features = delta.Info.Features;
            for (var i = 0; i < features.Count; i++) // by index: UnionWith would allocate an enumerator
            {
                tenant.Features.Add(features[i]);
            }

            tenant.LatestEventMs = Math.Max(tenant.LatestEventMs, delta.Info.LatestEventMs);
            _lastDispatchLagMs = Math.Max(0, time.GetUtcNow().ToUnixTimeMilliseconds() - delta.Info.OldestCommittedAtMs);
            _persist.Changed();
        }

        return outcome;
    }

    public async Task<long> Flush(int partition)
    {
        await _persist.RunAsync();
        return state.State.Ledger.WatermarkOf(partition);
    }

    public Task<TenantNow> GetNow()
    {
        var now = NowMs();
        return Task.FromResult(new TenantNow(now, ActiveUsersAt(now)));
    }

    public Task<ActiveUsers> GetActiveUsers(long asOfMs) => Task.FromResult(ActiveUsersAt(asOfMs));

    private ActiveUsers ActiveUsersAt(long ms) => ActiveUsers.OfTenant(state.State.Counters, TimeBuckets.DayOf(ms));

    public Task<TenantOverview> GetOverview(TimeRange range) => Task.FromResult(new TenantOverview(
        TenantActivity.From(state.State.Counters, range),
        state.State.Ingestion,
        _lastDispatchLagMs,
        NowMs(),
        Rules.Clock));

    public Task<IReadOnlyList<string>> GetFeatures() =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.Features.Order(StringComparer.Ordinal)]);

    public Task RecordIngestion(IngestionCounts counts) =>
        _persist.ChangeAsync((Grain: this, Counts: counts), static call => call.Grain.AddIngestion(call.Counts)).AsTask();

    private bool AddIngestion(IngestionCounts counts)
    {
        state.State.Ingestion = state.State.Ingestion.Plus(counts);
        _persist.Changed();
        return true;
    }

    public Task<CounterSet> GetCounters() => Task.FromResult(state.State.Counters.Copy());

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _persist.RunAsync();

    private long NowMs() => Rules.Clock == TenantClock.Event
        ? (state.State.LatestEventMs == long.MinValue ? 0 : state.State.LatestEventMs)
        : time.GetUtcNow().ToUnixTimeMilliseconds();
}
