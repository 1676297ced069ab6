using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions.Tenancy;

namespace ProductOps.Grains;

/// <summary>
/// Copies every configured tenant's stored settings overrides into this silo's
/// <see cref="TenantDirectory"/>, at start and then every SettingsRefreshInterval, so an admin
/// change reaches every silo within seconds, without a restart.
/// </summary>
public sealed partial class TenantSettingsRefresher(
    IGrainFactory grains, TenantDirectory tenants, IOptions<TrainingOptions> options, ILogger<TenantSettingsRefresher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SettingsRefreshInterval);
        do
        {
            foreach (var tenant in tenants.Tenants)
            {
                try
                {
                    var overrides = await grains.GetGrain<ITenantSettingsGrain>(tenant).GetOverrides();
                    if (tenants.Apply(tenant, overrides))
                    {
                        LogSettingsChanged(logger, tenant);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogRefreshFailed(logger, e, tenant); // the next round tries again; a failure must not stop the host
                }
            }
        }
        while (await TimerTicks.WaitAsync(timer, stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {Tenant}: settings changed")]
    private static partial void LogSettingsChanged(ILogger logger, string tenant);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tenant {Tenant}: settings refresh failed; retrying")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string tenant);
}
