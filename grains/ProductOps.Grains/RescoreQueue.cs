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
/// cards the next gen0 collection must scan. Here a pending user costs one queue entry, and a
/// quiet one nothing.
/// </summary>
/// <remarks>One delay for everyone, on a monotonic clock, so entries fall due in the order they
/// were added. At most <see cref="MaxConcurrentCalls"/> call backs run at once (a burst of due
/// users must not time out together). A call back that fails (the user is busy past the call
/// timeout, or failed to activate) is tried again after the delay, at most
/// <see cref="MaxRetries"/> times; after that it gives up, and counts it in <see cref="GiveUps"/>:
/// a user grain that is still waiting for a call back then schedules again at its next event
/// instead of waiting for a call that will never come.</remarks>
public sealed partial class RescoreQueue : BackgroundService
{
    public const int MaxConcurrentCalls = 256;
    public const int MaxRetries = 3;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);
    private readonly Func<GrainId, Task> _callBack;
    private readonly IOptions<ChurnOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RescoreQueue> _logger;
    private readonly Lock _lock = new();
    private readonly Queue<Entry> _due = new();
    private int _inFlight;
    private int _giveUps;

    public RescoreQueue(IGrainFactory grains, IOptions<ChurnOptions> options, TimeProvider time, ILogger<RescoreQueue> logger)
        : this(user => GrainReferences.Get<IUserGrain>(grains, user).RescoreIfDue(), options, time, logger)
    {
    }

    /// <summary>With the call back given, for tests (internal: the container sees one constructor).</summary>
    internal RescoreQueue(Func<GrainId, Task> callBack, IOptions<ChurnOptions> options, TimeProvider time, ILogger<RescoreQueue> logger)
    {
        _callBack = callBack;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>How many call backs this queue has given up on (wrapping around at
    /// <see cref="int.MaxValue"/>). A user that scheduled before the latest give-up cannot tell
    /// whether it was the one dropped, so it schedules again (a second call back is harmless).</summary>
    public int GiveUps => Volatile.Read(ref _giveUps);

    /// <summary>Calls <see cref="IUserGrain.RescoreIfDue"/> on the user a delay from now.</summary>
    public void Add(GrainId user) => Add(user, attempt: 0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, _time);
        while (await TimerTicks.WaitAsync(timer, stoppingToken))
        {
            var now = _time.GetTimestamp();
            while (Volatile.Read(ref _inFlight) < MaxConcurrentCalls && TakeDue(now) is { } entry)
            {
                Interlocked.Increment(ref _inFlight);
                _ = CallAsync(entry); // not awaited: one slow user must not hold up the others
            }
        }
    }

    private void Add(GrainId user, int attempt)
    {
        var due = _time.GetTimestamp() + (long)(_options.Value.RescoreDelay.TotalSeconds * _time.TimestampFrequency);
        lock (_lock)
        {
            _due.Enqueue(new Entry(due, user, attempt));
        }
    }

    private Entry? TakeDue(long now)
    {
        lock (_lock)
        {
            return _due.TryPeek(out var next) && next.Due <= now ? _due.Dequeue() : null;
        }
    }

    private async Task CallAsync(Entry entry)
    {
        try
        {
            await _callBack(entry.User);
        }
        catch (Exception e)
        {
            if (entry.Attempt < MaxRetries)
            {
                LogCallFailed(_logger, e, entry.User);
                Add(entry.User, entry.Attempt + 1);
            }
            else
            {
                Interlocked.Increment(ref _giveUps);
                LogGaveUp(_logger, e, entry.User, entry.Attempt + 1);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private readonly record struct Entry(long Due, GrainId User, int Attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Due rescoring of {User} failed; trying again after the delay")]
    private static partial void LogCallFailed(ILogger logger, Exception exception, GrainId user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Due rescoring of {User} failed {Attempts} times; the user schedules again at its next event, and the tenant's next sweep rescores it")]
    private static partial void LogGaveUp(ILogger logger, Exception exception, GrainId user, int attempts);
}
