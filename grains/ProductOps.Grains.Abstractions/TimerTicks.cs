namespace ProductOps.Grains.Abstractions;

/// <summary>The next tick of a background service's timer, false once the service stops.</summary>
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
}
