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

        // Counted first, so each share is one array of its exact size.
        var partitionOf = new int[events.Count];
        var counts = new int[partitions];
        for (var i = 0; i < events.Count; i++)
        {
            var partition = PartitionMap.PartitionOf(events[i].Tenant, events[i].UserId, partitions);
            partitionOf[i] = partition;
            counts[partition]++;
        }

        var shares = new TrackedEvent[partitions][];
        var filled = new int[partitions];
        for (var i = 0; i < events.Count; i++)
        {
            var partition = partitionOf[i];
            (shares[partition] ??= new TrackedEvent[counts[partition]])[filled[partition]++] = events[i];
        }

        var appendOf = new int[partitions]; // a partition's position in appends
        var appends = new List<Task<AppendResult>>(Math.Min(partitions, events.Count));
        for (var p = 0; p < partitions; p++)
        {
            if (shares[p] is { } share)
            {
                appendOf[p] = appends.Count;
                appends.Add(grains.GetGrain<IPartitionGrain>(p).Append(new AppendRequest(share)));
            }
        }

        var results = await Task.WhenAll(appends);

        // A share holds its events in input order, so walking the input with a cursor per
        // partition meets each share's answers in order.
        var answered = new int[partitions];
        var duplicate = new bool[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var partition = partitionOf[i];
            duplicate[i] = results[appendOf[partition]].Duplicate[answered[partition]++];
        }

        return duplicate;
    }
}
