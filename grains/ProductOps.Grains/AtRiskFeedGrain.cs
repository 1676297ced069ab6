using Microsoft.Extensions.Logging;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>
/// A tenant's live feed of threshold crossings: the latest <see cref="Capacity"/> in memory, each
/// with a sequence number, and long-polling readers woken by each publish. One grain per tenant
/// gives every gateway the same order; readers interleave with each other and with publishes.
/// A graceful deactivation hands the epoch, sequence and latest <see cref="HandOverCapacity"/>
/// crossings to the next activation (<see cref="AtRiskFeedState"/>), so a rolling upgrade costs
/// the watchers nothing. An activation lost with its silo hands on nothing: the next one starts a
/// new epoch, and a reader of the lost one is told it may have missed alerts.
/// </summary>
public sealed partial class AtRiskFeedGrain(
    [PersistentState("at-risk-feed", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<AtRiskFeedState> state,
    ILogger<AtRiskFeedGrain> logger)
    : Grain, IAtRiskFeedGrain
{
    private const int Capacity = 10_000;
    private const int MaxPage = 500;

    // Watchers read as crossings come, so the latest thousand cover every watcher but one far
    // behind (told so, with the count), at a write of well under a megabyte on the way out.
    private const int HandOverCapacity = 1_000;

    private readonly Queue<AtRiskFeedEntry> _recent = new();
    private Guid _epoch;
    private long _head;
    private int _waiting;
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var handed = state.State;
        if (!handed.HandedOver)
        {
            _epoch = Guid.NewGuid();
            return;
        }

        (_epoch, _head) = (handed.Epoch, handed.Head);
        foreach (var entry in handed.Recent)
        {
            _recent.Enqueue(entry);
        }

        // Taken: if this activation dies with its silo, the next must not read on in this epoch
        // as if nothing were lost. Until this write succeeds, the activation does not start.
        state.State = new AtRiskFeedState();
        await state.WriteStateAsync(cancellationToken);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Orleans runs this once no call is running: every long poll has answered by now.
        state.State = new AtRiskFeedState
        {
            HandedOver = true,
            Epoch = _epoch,
            Head = _head,
            Recent = [.. _recent.Skip(Math.Max(0, _recent.Count - HandOverCapacity))],
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
            _recent.Enqueue(new AtRiskFeedEntry(++_head, crossing));
            if (_recent.Count > Capacity)
            {
                _recent.Dequeue(); // a reader this far behind is told so when it reads
            }
        }

        var woken = _published;
        _published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        woken.TrySetResult();
        return Task.CompletedTask;
    }

    public Task<int> Waiting() => Task.FromResult(_waiting);

    public Task<AtRiskFeedPosition> Head() => Task.FromResult(new AtRiskFeedPosition(_epoch, _head));

    public async Task<AtRiskFeedPage> Read(AtRiskFeedPosition after, TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        if (after.Epoch != _epoch)
        {
            throw new AtRiskAlertsMissedException(
                "the tenant's alert feed was lost with the server holding it and started again: alerts since the watch's last may have been missed");
        }

        var from = after.Seq;
        if (_head <= from)
        {
            _waiting++;
            try
            {
                await _published.Task.WaitAsync(maxWait, cancellationToken);
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

        if (_recent.TryPeek(out var oldest) && oldest.Seq > from + 1)
        {
            throw new AtRiskAlertsMissedException(
                $"the watch fell {oldest.Seq - from - 1} alerts behind what the feed holds (at most the latest {Capacity}), and missed them");
        }

        var page = _recent.Where(r => r.Seq > from).Take(MaxPage).ToList();
        var next = page.Count == 0 ? from : page[^1].Seq;
        return new AtRiskFeedPage([.. page.Select(r => r.Crossing)], new AtRiskFeedPosition(_epoch, next));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "At-risk feed {Tenant} could not hand its place to its next activation; its watchers will be told they may have missed alerts")]
    private static partial void LogHandOverFailed(ILogger logger, Exception exception, string tenant);
}
