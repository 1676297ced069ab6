using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// Keeps every partition writer active: a partition that lost its silo must come back on its own
/// to dispatch what it committed before the crash, even if no new event arrives for it. On a
/// graceful stop it drains the partitions active on this silo first, while all grains are still
/// active, so their next activations have (almost) nothing to re-dispatch.
/// </summary>
public sealed partial class PartitionKeeper(
    IGrainFactory grains,
    LocalPartitions local,
    ILocalSiloDetails silo,
    IOptions<PipelineOptions> options,
    ILogger<PartitionKeeper> logger)
    : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        do
        {
            try
            {
                await Task.WhenAll(Enumerable.Range(0, options.Value.Partitions).Select(p => grains.GetGrain<IPartitionGrain>(p).Ping()));
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Anything (a timeout, a placement that expired while a silo died): a failure of one
                // round must never stop the host, or one silo's loss takes the others down with it.
                LogPingFailed(logger, e);
            }
        }
        while (await TimerTicks.WaitAsync(timer, stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (cancellationToken.IsCancellationRequested)
        {
            return; // not a graceful stop: the next activations re-dispatch from their checkpoints
        }

        try
        {
            await Task.WhenAll(local.Snapshot().Select(p => grains.GetGrain<IPartitionGrain>(p).Drain(silo.SiloAddress)))
                .WaitAsync(DrainTimeout, cancellationToken);
        }
        catch (Exception e)
        {
            LogDrainFailed(logger, e); // a restart re-dispatches from the last checkpoint instead
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not drain every partition before stopping")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition keep-alive failed; retrying")]
    private static partial void LogPingFailed(ILogger logger, Exception exception);
}
