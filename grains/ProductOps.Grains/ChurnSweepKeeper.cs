using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProductOps.Grains.Abstractions;
using ProductOps.Grains.Abstractions.Tenancy;

namespace ProductOps.Grains;

/// <summary>Keeps every configured tenant's churn sweep active: a sweep that lost its silo comes
/// back within one period. Every silo does it; the calls are idempotent.</summary>
public sealed partial class ChurnSweepKeeper(IGrainFactory grains, TenantDirectory tenants, ILogger<ChurnSweepKeeper> logger)
    : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        do
        {
            try
            {
                await Task.WhenAll(tenants.Tenants.Select(t => grains.GetGrain<IChurnSweepGrain>(t).Start()));
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogStartFailed(logger, e); // e.g. the silo is not serving yet; a failure must not stop the host
            }
        }
        while (await TimerTicks.WaitAsync(timer, stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Churn sweep keep-alive failed; retrying")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);
}
