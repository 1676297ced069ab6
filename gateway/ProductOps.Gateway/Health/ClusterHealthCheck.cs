using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Health;

/// <summary>
/// Healthy when a grain call round-trips to the cluster: every partition's writer is pinged and
/// one answer is enough. One silo lost leaves its partitions unanswered until the cluster votes
/// it out; readiness must not fail on every gateway at once for that, since then the Service
/// would refuse the partitions that still work too. A call to a lost partition gets its own
/// Unavailable.
/// </summary>
public sealed class ClusterHealthCheck(IGrainFactory grains, IOptions<PipelineOptions> pipeline) : IHealthCheck
{
    /// <summary>Under the probes' 3 s timeout, so a slow cluster reads as unready, not as a dead probe.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        string? failure = null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            var pings = Enumerable.Range(0, pipeline.Value.Partitions).Select(p => grains.GetGrain<IPartitionGrain>(p).Ping()).ToList();
            await foreach (var ping in Task.WhenEach(pings).WithCancellation(deadline.Token))
            {
                if (ping.IsCompletedSuccessfully)
                {
                    return HealthCheckResult.Healthy("cluster reachable");
                }

                failure = ping.Exception?.InnerException?.GetType().Name;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            failure = $"no partition answered within {Timeout.TotalSeconds:0} s";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Any failure is "not ready", including a stand-alone gateway's client that has not
            // reached any silo yet (it knows no grain types then).
            failure = e.GetType().Name;
        }

        return HealthCheckResult.Unhealthy("cluster unreachable: " + failure);
    }
}
