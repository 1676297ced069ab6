namespace ProductOps.Grains;

/// <summary>
/// The partitions active on this silo, and the checkpoints they stored. A graceful stop drains
/// only these: partitions on the other silos keep ingesting, so asking them to drain would only
/// slow the stop down. User grains drop the deltas a stored checkpoint covers without waiting for
/// their next events (a partition elsewhere is not seen here: its users wait for those).
/// </summary>
public sealed class LocalPartitions
{
    private readonly HashSet<int> _active = [];
    private readonly Dictionary<int, long> _stored = [];

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

    /// <summary>Records that <paramref name="partition"/> stored <paramref name="checkpoint"/>.</summary>
    public void Stored(int partition, long checkpoint)
    {
        lock (_active)
        {
            _stored[partition] = Math.Max(checkpoint, _stored.GetValueOrDefault(partition));
        }
    }

    /// <summary>The latest checkpoint a partition stored on this silo (0: none seen here).</summary>
    public long StoredCheckpointOf(int partition)
    {
        lock (_active)
        {
            return _stored.GetValueOrDefault(partition);
        }
    }

    public int[] Snapshot()
    {
        lock (_active)
        {
            return [.. _active];
        }
    }
}
