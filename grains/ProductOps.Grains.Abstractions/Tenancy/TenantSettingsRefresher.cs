using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>
/// Copies every configured tenant's stored settings overrides into this process's
/// <see cref="TenantDirectory"/>, at start and then every SettingsRefreshInterval, so an admin
/// change reaches every silo and every stand-alone gateway within seconds, without a restart.
/// It needs only grain calls, so an Orleans client (the gateway host) runs it as a silo does.
/// </summary>
public sealed partial class TenantSettingsRefresher(
    IGrainFactory grains, TenantDirectory tenants, IOptions<TenantSettingsRefreshOptions> options, ILogger<TenantSettingsRefresher> logger)
    : BackgroundService
{
    /// <summary>Until the first full read, rounds come this often: a process that could not reach
    /// the cluster at start should not wait a whole interval once it can.</summary>
    private static readonly TimeSpan FirstReadRetry = TimeSpan.FromMilliseconds(250);

    private volatile bool _loaded;

    /// <summary>Every tenant's stored overrides have been read at least once: until then this
    /// process may answer with configured defaults an admin has since changed (a gateway's
    /// readiness waits for it).</summary>
    public bool Loaded => _loaded;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SettingsRefreshInterval);
        do
        {
            var allRead = true;
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
                    allRead = false;
                    LogRefreshFailed(logger, e, tenant); // the next round tries again; a failure must not stop the host
                }
            }

            _loaded |= allRead;
        }
        while (_loaded ? await TimerTicks.WaitAsync(timer, stoppingToken) : await TimerTicks.DelayAsync(FirstReadRetry, stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {Tenant}: settings changed")]
    private static partial void LogSettingsChanged(ILogger logger, string tenant);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tenant {Tenant}: settings refresh failed; retrying")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string tenant);
}
