using System.Globalization;

namespace ProductOps.Grains.Abstractions;

/// <summary>The at-risk index has one shard per tenant and event-log partition, so it spreads
/// over the cluster as partitions do, and a user always pushes to the same shard.</summary>
public static class ChurnIndexKeys
{
    public static string For(string tenant, int partition) =>
        GrainKeys.For(tenant, partition.ToString(CultureInfo.InvariantCulture));

    /// <summary>Every shard of the tenant.</summary>
    public static IEnumerable<IChurnIndexGrain> ShardsOf(IGrainFactory grains, string tenant, int partitions) =>
        Enumerable.Range(0, partitions).Select(p => grains.GetGrain<IChurnIndexGrain>(For(tenant, p)));
}
