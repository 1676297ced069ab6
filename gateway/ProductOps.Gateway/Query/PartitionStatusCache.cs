using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Query;

/// <summary>Every partition's status (the overview's freshness), one ask shared by whoever can
/// use it: the partitions are the cluster's shared writers, and every overview (a GetOverview, or
/// an overview watch's check, of any tenant) would otherwise ask all of them. A caller says how
/// old an ask it accepts: only one that began after the caller arrived (<see cref="GetSinceAsync"/>:
/// a GetOverview, whose "caught up" must cover every event acknowledged before it was asked), or
/// one up to <see cref="MaxAge"/> old (<see cref="GetRecentAsync"/>: a watch's periodic check).
/// Callers that arrive while an ask is on its way share the next one, which begins when that one
/// ends: however many overviews are asked at once, a gateway has at most one ask on its way and
/// one waiting.</summary>
public sealed class PartitionStatusCache(IGrainFactory grains, IOptions<PipelineOptions> pipeline, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private Task<PartitionStatus[]>? _current;
    private long _askedAt;
    private Task<PartitionStatus[]>? _next;

    /// <summary>Statuses asked at or after <paramref name="timestamp"/> (of <see cref="TimeProvider.GetTimestamp"/>).</summary>
    public Task<PartitionStatus[]> GetSinceAsync(long timestamp)
    {
        lock (_lock)
        {
            // A failed answer is asked again; one on its way, or done, that began late enough is shared.
            if (_current is { IsFaulted: false, IsCanceled: false } current && _askedAt >= timestamp)
            {
                return current;
            }

            // The next ask has not begun: it will begin after this caller arrived.
            if (_next is { } next)
            {
                return next;
            }

            if (_current is { IsCompleted: false } onItsWay)
            {
                return _next = AskAfterAsync(onItsWay);
            }

            return AskNow();
        }
    }

    /// <summary>Statuses asked at most <see cref="MaxAge"/> ago.</summary>
    public Task<PartitionStatus[]> GetRecentAsync() =>
        GetSinceAsync(time.GetTimestamp() - (long)(MaxAge.TotalSeconds * time.TimestampFrequency));

    private async Task<PartitionStatus[]> AskAfterAsync(Task onItsWay)
    {
        // Always resumed on another thread, so it takes the lock after its caller has set _next.
        await onItsWay.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
        Task<PartitionStatus[]> ask;
        lock (_lock)
        {
            _next = null;
            ask = AskNow();
        }

        return await ask;
    }

    /// <summary>Asks every partition now; called under the lock.</summary>
    private Task<PartitionStatus[]> AskNow()
    {
        _askedAt = time.GetTimestamp();
        return _current = Task.WhenAll(Enumerable.Range(0, pipeline.Value.Partitions).Select(p => grains.GetGrain<IPartitionGrain>(p).GetStatus()));
    }
}
