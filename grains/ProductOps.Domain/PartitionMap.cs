namespace ProductOps.Domain;

/// <summary>Maps a tenant's user to its event-log partition. Stable across processes and
/// versions, because the partition of a user must never move.</summary>
public static class PartitionMap
{
    public static int PartitionOf(string tenant, string userId, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        var hash = StableHash.Continue(StableHash.Separate(StableHash.Continue(StableHash.Start, tenant)), userId);
        return (int)(hash % (ulong)partitionCount);
    }
}
