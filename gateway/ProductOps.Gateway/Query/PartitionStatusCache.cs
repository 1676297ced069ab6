using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Query;

/// <summary>Every partition's status (the overview's freshness), one ask shared by whoever can
/// use it: the partitions are the cluster's shared writers, and overview watches of every tenant
/// would otherwise each ask all of them every interval. A caller says how old an ask it accepts:
/// only one that began after the caller arrived (<see cref="GetSinceAsync"/>: a GetOverview,
/// whose "caught up" must cover every event acknowledged before it was asked; an ask already
/// under way is not shared), or one up to <see cref="MaxAge"/> old (<see cref="GetRecentAsync"/>:
/// a watch's periodic check).</summary>
public sealed class PartitionStatusCache(IGrainFactory grains, IOptions<PipelineOptions> pipeline, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private Task<PartitionStatus[]>? _statuses;
    private long _askedAt;

    /// <summary>Statuses asked at or after <paramref name="timestamp"/> (of <see cref="TimeProvider.GetTimestamp"/>).</summary>
    public Task<PartitionStatus[]> GetSinceAsync(long timestamp)
    {
        lock (_lock)
        {
            // A failed answer is asked again; one on its way, or done, that began late enough is shared.
            if (_statuses is null || _statuses.IsFaulted || _statuses.IsCanceled || _askedAt < timestamp)
            {
                _askedAt = time.GetTimestamp();
                _statuses = Task.WhenAll(Enumerable.Range(0, pipeline.Value.Partitions).Select(p => grains.GetGrain<IPartitionGrain>(p).GetStatus()));
            }

            return _statuses;
        }
    }

    /// <summary>Statuses asked at most <see cref="MaxAge"/> ago.</summary>
    public Task<PartitionStatus[]> GetRecentAsync() =>
        GetSinceAsync(time.GetTimestamp() - (long)(MaxAge.TotalSeconds * time.TimestampFrequency));
}
