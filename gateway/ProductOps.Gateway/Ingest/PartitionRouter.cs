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
        var shares = new List<TrackedEvent>?[partitions];
        var positions = new List<int>?[partitions];
        var touched = new List<int>();
        for (var i = 0; i < events.Count; i++)
        {
            var partition = PartitionMap.PartitionOf(events[i].Tenant, events[i].UserId, partitions);
            if (shares[partition] is null)
            {
                shares[partition] = [];
                positions[partition] = [];
                touched.Add(partition);
            }

            shares[partition]!.Add(events[i]);
            positions[partition]!.Add(i);
        }

        var duplicate = new bool[events.Count];
        var appends = new Task[touched.Count];
        for (var k = 0; k < touched.Count; k++)
        {
            var partition = touched[k];
            appends[k] = AppendShareAsync(partition, shares[partition]!, positions[partition]!, duplicate);
        }

        await Task.WhenAll(appends);
        return duplicate;
    }

    private async Task AppendShareAsync(int partition, List<TrackedEvent> share, List<int> positions, bool[] duplicate)
    {
        var result = await grains.GetGrain<IPartitionGrain>(partition).Append(new AppendRequest(share));
        for (var j = 0; j < positions.Count; j++)
        {
            duplicate[positions[j]] = result.Duplicate[j];
        }
    }
}
