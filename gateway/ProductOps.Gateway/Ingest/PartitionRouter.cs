using Microsoft.Extensions.Options;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Ingest;

/// <summary>Splits events by partition and appends each share to its partition writer; returns,
/// per event in input order, whether the log already held it.</summary>
public sealed class PartitionRouter(IGrainFactory grains, IOptions<PipelineOptions> options)
{
    public async Task<bool[]> AppendAsync(IReadOnlyList<TrackedEvent> events)
    {
        var partitions = options.Value.Partitions;
        var shares = new Dictionary<int, List<int>>();
        for (var i = 0; i < events.Count; i++)
        {
            var partition = PartitionMap.PartitionOf(events[i].Tenant, events[i].UserId, partitions);
            if (!shares.TryGetValue(partition, out var indexes))
            {
                shares[partition] = indexes = [];
            }

            indexes.Add(i);
        }

        var duplicate = new bool[events.Count];
        await Task.WhenAll(shares.Select(async share =>
        {
            var result = await grains.GetGrain<IPartitionGrain>(share.Key)
                .Append(new AppendRequest([.. share.Value.Select(i => events[i])]));
            for (var j = 0; j < share.Value.Count; j++)
            {
                duplicate[share.Value[j]] = result.Duplicate[j];
            }
        }));
        return duplicate;
    }
}
