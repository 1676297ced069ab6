using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

/// <summary>One feature's live aggregates (key: "tenant/feature").</summary>
public interface IFeatureGrain : IAggregateGrain
{
    Task<FeatureReport> GetReport(TimeRange range, ActiveUsers active, long asOfMs);

    Task<FeatureSummary> GetSummary(ActiveUsers active, long asOfMs);

    /// <summary>The raw counters, for comparisons with the replay oracle.</summary>
    Task<CounterSet> GetCounters();
}
