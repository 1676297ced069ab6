using System.Collections.Concurrent;

namespace ProductOps.Grains;

/// <summary>This silo's <see cref="PartitionDeltaJournal"/>s, one per partition that has users
/// here: the deltas user grains keep for a re-dispatch, until their partition's checkpoint.</summary>
public sealed class KeptDeltaJournal
{
    private readonly ConcurrentDictionary<int, PartitionDeltaJournal> _partitions = new();

    internal PartitionDeltaJournal For(int partition) => _partitions.GetOrAdd(partition, static _ => new PartitionDeltaJournal());

    /// <summary>Drops what <paramref name="checkpoint"/> covers in the partition's journal.</summary>
    public void DropThrough(int partition, long checkpoint) => For(partition).DropThrough(checkpoint);
}
