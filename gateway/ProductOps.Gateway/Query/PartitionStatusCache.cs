using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Query;

/// <summary>Every partition's status (the overview's freshness), asked at most once per
/// <see cref="MaxAge"/> by this gateway whoever asks: the partitions are the cluster's shared
/// writers, and overview watches of every tenant would otherwise each ask all of them every interval.</summary>
public sealed class PartitionStatusCache(IGrainFactory grains, IOptions<PipelineOptions> pipeline, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private Task<PartitionStatus[]>? _statuses;
    private long _askedAt;

    public Task<PartitionStatus[]> GetAsync()
    {
        lock (_lock)
        {
            // A failed or too old answer is asked again; one on its way is shared.
            if (_statuses is null || _statuses.IsFaulted || _statuses.IsCanceled || time.GetElapsedTime(_askedAt) > MaxAge)
            {
                _statuses = Task.WhenAll(Enumerable.Range(0, pipeline.Value.Partitions).Select(p => grains.GetGrain<IPartitionGrain>(p).GetStatus()));
                _askedAt = time.GetTimestamp();
            }

            return _statuses;
        }
    }
}
