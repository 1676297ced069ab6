namespace ProductOps.Grains.Abstractions;

/// <summary>A background service's waits between rounds: false once the service stops.</summary>
public static class TimerTicks
{
    public static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
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

    /// <summary>Waits <paramref name="delay"/>; false once the host is stopping.</summary>
    public static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
