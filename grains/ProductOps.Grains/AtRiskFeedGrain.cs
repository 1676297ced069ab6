using Microsoft.Extensions.Logging;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>
/// A tenant's live feed of threshold crossings: the latest <see cref="Capacity"/> in memory, each
/// with a sequence number, and long-polling readers woken by each publish. One grain per tenant
/// gives every gateway the same order; readers interleave with each other and with publishes.
/// A graceful deactivation hands the epoch, sequence and the crossings readers may still need to
/// the next activation (<see cref="AtRiskFeedState"/>), so a rolling upgrade costs the watchers
/// nothing. An activation lost with its silo hands on nothing: the next one starts a new epoch,
/// and a reader of the lost one is told it may have missed alerts.
/// </summary>
public sealed partial class AtRiskFeedGrain(
    [PersistentState("at-risk-feed", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<AtRiskFeedState> state,
    TimeProvider time,
    ILogger<AtRiskFeedGrain> logger)
    : Grain, IAtRiskFeedGrain
{
    private const int Capacity = 10_000;
    private const int MaxPage = 500;

    // A poll holds the feed's deactivation (Orleans waits for running calls), so none waits for
    // long: a silo's stop must reach the handover within its shutdown timeout.
    private static readonly TimeSpan MaxReadWait = TimeSpan.FromSeconds(15);

    // Reads are remembered this long for the handover: every connected watcher reads at least
    // every poll, and one whose gateway just stopped read within it too.
    private static readonly TimeSpan ReadMemory = TimeSpan.FromSeconds(30);

    private readonly Queue<AtRiskFeedEntry> _recent = new();
    private Guid _epoch;
    private long _head;
    private int _waiting;
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The lowest place read from in this period of ReadMemory and in the one before.
    private long _lowestReadNow = long.MaxValue;
    private long _lowestReadBefore = long.MaxValue;
    private long _readPeriodStartedAt;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _readPeriodStartedAt = time.GetTimestamp();
        var handed = state.State;
        if (handed.HandedOver)
        {
            (_epoch, _head) = (handed.Epoch, handed.Head);
            foreach (var entry in handed.Recent)
            {
                _recent.Enqueue(entry);
            }

            // What was handed over is still needed for a while: its readers may not have read
            // this activation yet when it moves on in turn.
            _lowestReadBefore = handed.Recent.Count > 0 ? handed.Recent[0].Seq - 1 : _head;
        }
        else
        {
            _epoch = Guid.NewGuid();
        }

        // This activation's own record: if it dies with its silo, the next must not read on in
        // its epoch as if nothing were lost. Until this write succeeds, the activation does not start.
        state.State = new AtRiskFeedState { Epoch = _epoch, Head = _head };
        await state.WriteStateAsync(cancellationToken);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Orleans runs this once no call is running: every long poll has answered by now.
        var from = Math.Min(_head, Math.Min(_lowestReadNow, _lowestReadBefore));
        state.State = new AtRiskFeedState
        {
            HandedOver = true,
            Epoch = _epoch,
            Head = _head,
            Recent = [.. _recent.Where(e => e.Seq > from)],
        };
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch (Exception e)
        {
            // The next activation starts a new epoch: its watchers are told they may have missed alerts.
            LogHandOverFailed(logger, e, this.GetPrimaryKeyString());
        }
    }

    public Task Publish(IReadOnlyList<AtRiskCrossing> crossings)
    {
        foreach (var crossing in crossings)
        {
            Add(new AtRiskFeedEntry(_head + 1, crossing));
        }

        WakeReaders();
        return Task.CompletedTask;
    }

    public Task PublishAfterDropped(long dropped, IReadOnlyList<AtRiskCrossing> crossings)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dropped);
        Add(new AtRiskFeedEntry(_head + 1, null, dropped));
        return Publish(crossings);
    }

    public Task<int> Waiting() => Task.FromResult(_waiting);

    public Task<AtRiskFeedPosition> Head()
    {
        RememberRead(_head); // a watch starts here, and reads from here next
        return Task.FromResult(new AtRiskFeedPosition(_epoch, _head));
    }

    public async Task<AtRiskFeedPage> Read(AtRiskFeedPosition after, TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        if (after.Epoch != _epoch)
        {
            throw AtRiskAlertsMissedException.FeedLost();
        }

        var from = after.Seq;
        RememberRead(from);
        if (_head <= from)
        {
            _waiting++;
            try
            {
                await _published.Task.WaitAsync(maxWait >= TimeSpan.Zero && maxWait < MaxReadWait ? maxWait : MaxReadWait, cancellationToken);
            }
            catch (TimeoutException)
            {
                return new AtRiskFeedPage([], after);
            }
            finally
            {
                _waiting--;
            }
        }

        // After a handover the feed may hold none of what came before the head.
        var oldestHeld = _recent.TryPeek(out var oldest) ? oldest.Seq : _head + 1;
        if (oldestHeld > from + 1)
        {
            throw AtRiskAlertsMissedException.FellBehind(oldestHeld - from - 1);
        }

        // Crossings up to the first gap: the reader is told of the gap when it reads from there.
        var page = new List<AtRiskCrossing>();
        var next = from;
        foreach (var entry in _recent)
        {
            if (entry.Seq <= from)
            {
                continue;
            }

            if (entry.Crossing is null)
            {
                if (page.Count == 0)
                {
                    throw AtRiskAlertsMissedException.DroppedBeforeTheFeed(entry.Dropped);
                }

                break;
            }

            if (page.Count == MaxPage)
            {
                break;
            }

            page.Add(entry.Crossing);
            next = entry.Seq;
        }

        return new AtRiskFeedPage(page, new AtRiskFeedPosition(_epoch, next));
    }

    private void Add(AtRiskFeedEntry entry)
    {
        _head = entry.Seq;
        _recent.Enqueue(entry);
        if (_recent.Count > Capacity)
        {
            _recent.Dequeue(); // a reader this far behind is told so when it reads
        }
    }

    private void WakeReaders()
    {
        var woken = _published;
        _published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        woken.TrySetResult();
    }

    private void RememberRead(long from)
    {
        if (time.GetElapsedTime(_readPeriodStartedAt) >= ReadMemory)
        {
            (_lowestReadBefore, _lowestReadNow, _readPeriodStartedAt) = (_lowestReadNow, long.MaxValue, time.GetTimestamp());
        }

        _lowestReadNow = Math.Min(_lowestReadNow, from);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "At-risk feed {Tenant} could not hand its place to its next activation; its watchers will be told they may have missed alerts")]
    private static partial void LogHandOverFailed(ILogger logger, Exception exception, string tenant);
}
