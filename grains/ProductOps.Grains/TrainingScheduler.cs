using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions;
using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Grains.Abstractions.Training;

namespace ProductOps.Grains;

/// <summary>
/// Starts each tenant's training when its last one is older than the tenant's
/// TrainingIntervalHours (0 = never scheduled); a tenant that never trained is due one interval
/// after the silo started, so a start-up (or a benchmark run) never begins with a full read of the
/// log. Every silo runs this; the tenant's job grain runs one job at a time and hands back the
/// running one, so two silos asking at once start one job. A scheduled job does not activate its
/// model while an operator's activation by hand holds automatic activation.
/// </summary>
public sealed partial class TrainingScheduler(
    IGrainFactory grains, TenantDirectory tenants, TimeProvider time, IOptions<TrainingOptions> options, ILogger<TrainingScheduler> logger)
    : BackgroundService
{
    /// <summary>Whether a tenant whose latest job is <paramref name="latest"/> is due for training.</summary>
    public static bool IsDue(TrainingJob? latest, int intervalHours, long nowMs, long siloStartedAtMs)
    {
        var interval = intervalHours * 3_600_000L;
        return intervalHours > 0 && latest switch
        {
            null => nowMs - siloStartedAtMs >= interval,
            _ => latest.IsFinished && nowMs - latest.StartedAtMs >= interval,
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var startedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        using var timer = new PeriodicTimer(options.Value.ScheduleCheckInterval);
        while (await TimerTicks.WaitAsync(timer, stoppingToken))
        {
            foreach (var tenant in tenants.Tenants)
            {
                var interval = tenants.SettingsOf(tenant).TrainingIntervalHours;
                if (interval == 0)
                {
                    continue;
                }

                try
                {
                    var job = grains.GetGrain<ITrainingJobGrain>(tenant);
                    if (IsDue(await job.GetLatest(), interval, time.GetUtcNow().ToUnixTimeMilliseconds(), startedAtMs))
                    {
                        var started = await job.StartScheduled();
                        LogScheduled(logger, tenant, started.JobId);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogCheckFailed(logger, e, tenant); // the next check tries again; a failure must not stop the host
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {Tenant}: scheduled training {JobId}")]
    private static partial void LogScheduled(ILogger logger, string tenant, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {Tenant}: schedule check failed; retrying")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string tenant);
}
