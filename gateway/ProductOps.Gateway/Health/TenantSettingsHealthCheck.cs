using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProductOps.Grains.Abstractions.Tenancy;

namespace ProductOps.Gateway.Health;

/// <summary>Healthy once this process has read every tenant's stored settings: before that it
/// would answer an event-clock tenant's queries on the wall clock, say.</summary>
public sealed class TenantSettingsHealthCheck(TenantSettingsRefresher refresher) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(refresher.Loaded
            ? HealthCheckResult.Healthy("tenant settings read")
            : HealthCheckResult.Unhealthy("tenant settings not read yet"));
}
