using Orleans.Concurrency;

namespace ProductOps.Grains.Abstractions;

/// <summary>
/// Rescores every user of a tenant (key: tenant id) when the tenant clock enters a new day, when
/// the tenant's active model changes and when its alert threshold changes, so dormant users get
/// current scores too; complete only once every user carries the model and threshold.
/// </summary>
public interface IChurnSweepGrain : IGrainWithStringKey
{
    /// <summary>Keeps the sweep's timer running (called by every silo periodically).</summary>
    [AlwaysInterleave]
    Task Start();

    /// <summary>The active model and what the last completed sweep covered.</summary>
    [AlwaysInterleave]
    Task<ChurnSweepStatus> GetStatus();
}
