namespace ProductOps.Domain;

/// <summary>Maps a tenant's user to its event-log partition. Stable across processes and
/// versions, because the partition of a user must never move.</summary>
public static class PartitionMap
{
    public static int PartitionOf(string tenant, string userId, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        return (int)(StableHash.OfPair(tenant, userId) % (ulong)partitionCount);
    }
}
