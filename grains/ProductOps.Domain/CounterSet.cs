using System.Runtime.InteropServices;

namespace ProductOps.Domain;

/// <summary>Counters of one feature or one tenant, keyed by (metric, bucket). Both the live
/// aggregate grains and the replay oracle fill one, so the two can be compared entry by entry.</summary>
[GenerateSerializer, Alias("productops.counter-set")]
public sealed class CounterSet
{
    [Id(0)] private Dictionary<long, double> _values = [];

    public int Count => _values.Count;

    /// <summary>Adds <paramref name="delta"/>'s amount to each bucket it covers.</summary>
    public void Add(CounterDelta delta)
    {
        for (var bucket = delta.Bucket; bucket <= delta.LastBucket; bucket++)
        {
            Add(delta.Metric, bucket, delta.Amount);
        }
    }

    public void Add(Metric metric, int bucket, double amount)
    {
        if (amount == 0)
        {
            return;
        }

        var key = Key(metric, bucket);
        ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(_values, key, out _); // one lookup per add
        sum += amount;
        if (sum == 0)
        {
            _values.Remove(key); // a retraction that cancels out leaves no trace
        }
    }

    /// <summary>An independent copy, for answers that leave the grain: a reply to another silo is
    /// serialized off the grain's turn, while the grain may go on changing its own set.</summary>
    public CounterSet Copy() => new() { _values = new Dictionary<long, double>(_values) };

    /// <summary>Empties the set and keeps its capacity, for a set reused as a builder.</summary>
    public void Clear() => _values.Clear();

    public double Get(Metric metric, int bucket) => _values.GetValueOrDefault(Key(metric, bucket));

    public double Total(Metric metric) => Get(metric, 0);

    /// <summary>Every non-zero counter, for comparisons and diagnostics.</summary>
    public IEnumerable<(Metric Metric, int Bucket, double Value)> Entries() =>
        _values.Select(kv => ((Metric)(kv.Key >> 32), (int)(kv.Key & 0xFFFF_FFFF), kv.Value));

    private static long Key(Metric metric, int bucket) => ((long)metric << 32) | (uint)bucket;
}
