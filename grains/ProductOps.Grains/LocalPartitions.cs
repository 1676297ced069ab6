namespace ProductOps.Grains;

/// <summary>
/// The partitions active on this silo. A graceful stop drains only these: partitions on the other
/// silos keep ingesting, so asking them to drain would only slow the stop down. A checkpoint one
/// of them stored drops the deltas it covers from this silo's journal at once, rather than at
/// its users' next events (a partition elsewhere is not seen here: its users' next events bring
/// its checkpoint).
/// </summary>
public sealed class LocalPartitions(KeptDeltaJournal kept)
{
    private readonly HashSet<int> _active = [];

    public void Add(int partition)
    {
        lock (_active)
        {
            _active.Add(partition);
        }
    }

    public void Remove(int partition)
    {
        lock (_active)
        {
            _active.Remove(partition);
        }
    }

    /// <summary><paramref name="partition"/> stored <paramref name="checkpoint"/>: drops the deltas it
    /// covers from the partition's journal on this silo.</summary>
    public void Stored(int partition, long checkpoint) => kept.DropThrough(partition, checkpoint);

    public int[] Snapshot()
    {
        lock (_active)
        {
            return [.. _active];
        }
    }
}
