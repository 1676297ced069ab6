using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>One feature's counters, fed rolled-up deltas by the partitions.</summary>
public sealed class FeatureGrain : Grain, IFeatureGrain, IGrainMigrationParticipant
{
    private readonly IPersistentState<FeatureState> _state;
    private readonly ReceiverCounters<FeatureState> _counters;
    private readonly SharedWrite _persist;

    public FeatureGrain(
        [PersistentState("feature", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<FeatureState> state,
        [FromKeyedServices(StorageSiloBuilderExtensions.GrainStorageName)] IGrainStorage storage,
        IOptions<PipelineOptions> options)
    {
        _state = state;
        _counters = new ReceiverCounters<FeatureState>(state, "feature-history", storage, options.Value.ReceiverHistoryRewriteAfter);
        _persist = new SharedWrite(() => _counters.WriteAsync(this.GetGrainId()));
    }

    private string Feature => GrainKeys.Split(this.GetPrimaryKeyString()).Subject;

    private CounterSet Counters => _counters.Set;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await _counters.LoadAsync(this.GetGrainId());
    }

    public ValueTask<ReceiveOutcome> Receive(AggregateDelta delta) =>
        _persist.ChangeAsync((Grain: this, Delta: delta), static call => call.Grain.Apply(call.Delta));

    private ReceiveOutcome Apply(AggregateDelta delta)
    {
        var outcome = _state.State.Ledger.Decide(delta);
        if (outcome.Status == ReceiveStatus.Applied)
        {
            Counters.AddAll(delta.Counters);
            _persist.Changed();
        }

        return outcome;
    }

    public async Task<long> Flush(int partition)
    {
        await _persist.RunAsync();
        return _state.State.Ledger.WatermarkOf(partition);
    }

    public Task<FeatureReport> GetReport(TimeRange range, long asOfMs) =>
        Task.FromResult(FeatureReports.Report(Feature, Counters, range, asOfMs) with { Version = _state.State.Ledger.Version() });

    public Task<FeatureTotals> GetTotals(long asOfMs) =>
        Task.FromResult(FeatureReports.Totals(Feature, Counters, TimeBuckets.DayOf(asOfMs)));

    public Task<CounterSet> GetCounters() => Task.FromResult(Counters.Copy());

    public void OnDehydrate(IDehydrationContext dehydrationContext) => _counters.OnDehydrate(dehydrationContext);

    public void OnRehydrate(IRehydrationContext rehydrationContext) => _counters.OnRehydrate(rehydrationContext);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _persist.RunAsync();
}
