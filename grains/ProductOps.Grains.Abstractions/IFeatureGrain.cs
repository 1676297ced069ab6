using Orleans.Concurrency;
using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

/// <summary>One feature's live aggregates (key: "tenant/feature"). Reads change nothing, so they
/// interleave rather than wait behind a state write.</summary>
public interface IFeatureGrain : IAggregateGrain
{
    [AlwaysInterleave]
    Task<FeatureReport> GetReport(TimeRange range, ActiveUsers active, long asOfMs);

    [AlwaysInterleave]
    Task<FeatureSummary> GetSummary(ActiveUsers active, long asOfMs);

    /// <summary>The raw counters, for comparisons with the replay oracle.</summary>
    [AlwaysInterleave]
    Task<CounterSet> GetCounters();
}
