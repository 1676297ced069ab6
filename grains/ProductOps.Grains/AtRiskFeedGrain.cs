using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// A tenant's live feed of threshold crossings: the latest <see cref="Capacity"/> in memory, each
/// with a sequence number, and long-polling readers woken by each publish. One grain per tenant
/// gives every gateway the same order; readers interleave with each other and with publishes.
/// </summary>
public sealed class AtRiskFeedGrain : Grain, IAtRiskFeedGrain
{
    private const int Capacity = 10_000;
    private const int MaxPage = 500;
    private readonly Guid _epoch = Guid.NewGuid();
    private readonly Queue<(long Seq, AtRiskCrossing Crossing)> _recent = new();
    private long _head;
    private int _waiting;
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Publish(IReadOnlyList<AtRiskCrossing> crossings)
    {
        foreach (var crossing in crossings)
        {
            _recent.Enqueue((++_head, crossing));
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
        var from = after.Epoch == _epoch ? after.Seq : 0;
        if (_head <= from)
        {
            _waiting++;
            try
            {
                await _published.Task.WaitAsync(maxWait, cancellationToken);
            }
            catch (TimeoutException)
            {
                return new AtRiskFeedPage([], new AtRiskFeedPosition(_epoch, from));
            }
            finally
            {
                _waiting--;
            }
        }

        if (_recent.TryPeek(out var oldest) && oldest.Seq > from + 1)
        {
            throw new AtRiskAlertsMissedException(
                $"the watch fell {oldest.Seq - from - 1} alerts behind what the feed holds (the latest {Capacity}), and missed them");
        }

        var page = _recent.Where(r => r.Seq > from).Take(MaxPage).ToList();
        var next = page.Count == 0 ? from : page[^1].Seq;
        return new AtRiskFeedPage([.. page.Select(r => r.Crossing)], new AtRiskFeedPosition(_epoch, next));
    }
}
