using Orleans.Concurrency;
using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

/// <summary>One feature's live aggregates (key: "tenant/feature"). Reads change nothing, so they
/// interleave rather than wait behind a state write.</summary>
public interface IFeatureGrain : IAggregateGrain
{
    /// <summary>The feature's series over the range and its totals as of a time; the adoption
    /// ratios need the tenant's active users, which the caller asks the tenant for meanwhile.</summary>
    [AlwaysInterleave]
    Task<FeatureReport> GetReport(TimeRange range, long asOfMs);

    /// <summary>The feature's half of its adoption row as of a time (ListFeatures).</summary>
    [AlwaysInterleave]
    Task<FeatureTotals> GetTotals(long asOfMs);

    /// <summary>The raw counters, for comparisons with the replay oracle.</summary>
    [AlwaysInterleave]
    Task<CounterSet> GetCounters();
}
