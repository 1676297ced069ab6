using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// Keeps every partition writer active. A partition that lost its silo must come back on its own
/// to dispatch what it committed before the crash, even if no new event arrives for it.
/// </summary>
public sealed partial class PartitionKeeper(IGrainFactory grains, IOptions<PipelineOptions> options, ILogger<PartitionKeeper> logger)
    : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        do
        {
            try
            {
                await Task.WhenAll(Enumerable.Range(0, options.Value.Partitions).Select(p => grains.GetGrain<IPartitionGrain>(p).Ping()));
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                LogPingFailed(logger, e);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition keep-alive failed; retrying")]
    private static partial void LogPingFailed(ILogger logger, Exception exception);
}
