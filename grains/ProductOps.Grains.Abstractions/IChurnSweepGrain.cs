using Orleans.Concurrency;

namespace ProductOps.Grains.Abstractions;

/// <summary>
/// Rescores every user of a tenant (key: tenant id) when the tenant clock enters a new day and
/// when the tenant's active model changes, so dormant users get current scores too.
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
