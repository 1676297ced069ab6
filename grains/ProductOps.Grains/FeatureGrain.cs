using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>One feature's counters, fed rolled-up deltas by the partitions.</summary>
public sealed class FeatureGrain(
    [PersistentState("feature", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<FeatureState> state)
    : Grain, IFeatureGrain
{
    private readonly SharedWrite _persist = new(() => state.WriteStateAsync());

    private string Feature => GrainKeys.Split(this.GetPrimaryKeyString()).Subject;

    public ValueTask<ReceiveOutcome> Receive(AggregateDelta delta) =>
        _persist.ChangeAsync((Grain: this, Delta: delta), static call => call.Grain.Apply(call.Delta));

    private ReceiveOutcome Apply(AggregateDelta delta)
    {
        var outcome = state.State.Ledger.Decide(delta);
        if (outcome.Status == ReceiveStatus.Applied)
        {
            state.State.Counters.AddAll(delta.Counters);
            _persist.Changed();
        }

        return outcome;
    }

    public async Task<long> Flush(int partition)
    {
        await _persist.RunAsync();
        return state.State.Ledger.WatermarkOf(partition);
    }

    public Task<FeatureReport> GetReport(TimeRange range, long asOfMs) =>
        Task.FromResult(FeatureReports.Report(Feature, state.State.Counters, range, asOfMs));

    public Task<FeatureTotals> GetTotals(long asOfMs) =>
        Task.FromResult(FeatureReports.Totals(Feature, state.State.Counters, TimeBuckets.DayOf(asOfMs)));

    public Task<CounterSet> GetCounters() => Task.FromResult(state.State.Counters.Copy());

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _persist.RunAsync();
}
