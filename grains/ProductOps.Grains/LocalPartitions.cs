namespace ProductOps.Grains;

/// <summary>
/// The partitions active on this silo. A graceful stop drains only these: partitions on the
/// other silos keep ingesting, so asking them to drain would only slow the stop down.
/// </summary>
public sealed class LocalPartitions
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

    public int[] Snapshot()
    {
        lock (_active)
        {
            return [.. _active];
        }
    }
}
