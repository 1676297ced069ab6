namespace ProductOps.Grains;

/// <summary>The next tick of a background service's timer, false once the service stops.</summary>
internal static class TimerTicks
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
