using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Health;

/// <summary>Healthy when a grain call round-trips to the cluster (partition 0's writer).</summary>
public sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.GetGrain<IPartitionGrain>(0).Ping().WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy("cluster reachable");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Any failure is "not ready", including a stand-alone gateway's client that has not
            // reached any silo yet (it knows no grain types then).
            return HealthCheckResult.Unhealthy("cluster unreachable: " + e.GetType().Name);
        }
    }
}
