using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// The silo's due rescorings. A user grain with new events asks to be called back once
/// <see cref="ChurnOptions.RescoreDelay"/> has passed, instead of holding a grain timer of its own:
/// a grain timer leaves four objects on its activation for good (Orleans' extra-fields dictionary
/// and timer set, about 180 bytes a user as measured), and each one created or disposed dirties
/// cards the next gen0 collection must scan. Here a pending user costs one queue entry, and a quiet one nothing.
/// </summary>
/// <remarks>One delay for everyone, so entries fall due in the order they were added. A call that
/// fails (the user's silo just died) is queued again: the user keeps its rescoring due and would
/// otherwise never ask again.</remarks>
public sealed partial class RescoreQueue(IGrainFactory grains, IOptions<ChurnOptions> options, TimeProvider time, ILogger<RescoreQueue> logger)
    : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);
    private readonly Lock _lock = new();
    private readonly Queue<(long DueMs, string UserKey)> _due = new();

    /// <summary>Calls <see cref="IUserGrain.RescoreIfDue"/> on the user ("tenant/user") a delay from now.</summary>
    public void Add(string userKey)
    {
        var dueMs = time.GetUtcNow().ToUnixTimeMilliseconds() + (long)options.Value.RescoreDelay.TotalMilliseconds;
        lock (_lock)
        {
            _due.Enqueue((dueMs, userKey));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        while (await TimerTicks.WaitAsync(timer, stoppingToken))
        {
            var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            while (TakeDue(nowMs) is { } userKey)
            {
                _ = CallAsync(userKey); // not awaited: one slow user must not hold up the others
            }
        }
    }

    private string? TakeDue(long nowMs)
    {
        lock (_lock)
        {
            return _due.TryPeek(out var next) && next.DueMs <= nowMs ? _due.Dequeue().UserKey : null;
        }
    }

    private async Task CallAsync(string userKey)
    {
        try
        {
            await GrainReferences.Get<IUserGrain>(grains, userKey).RescoreIfDue();
        }
        catch (Exception e)
        {
            LogCallFailed(logger, e, userKey);
            Add(userKey);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Due rescoring of {User} failed; trying again after the delay")]
    private static partial void LogCallFailed(ILogger logger, Exception exception, string user);
}
