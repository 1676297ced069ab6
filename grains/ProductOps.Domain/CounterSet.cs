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

    /// <summary>Adds every delta of a received roll-up (by index: no enumerator per call).</summary>
    public void AddAll(IReadOnlyList<CounterDelta> deltas)
    {
        for (var i = 0; i < deltas.Count; i++)
        {
            Add(deltas[i]);
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

    /// <summary>Every non-zero counter. A foreach over it allocates nothing (the dispatch's
    /// roll-up reads one per receiver per cycle); LINQ and comparisons see an IEnumerable.</summary>
    public EntryList Entries() => new(_values);

    private static long Key(Metric metric, int bucket) => ((long)metric << 32) | (uint)bucket;

    public readonly struct EntryList(Dictionary<long, double> values) : IEnumerable<(Metric Metric, int Bucket, double Value)>
    {
        public Enumerator GetEnumerator() => new(values.GetEnumerator());

        IEnumerator<(Metric Metric, int Bucket, double Value)> IEnumerable<(Metric Metric, int Bucket, double Value)>.GetEnumerator() => GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    public struct Enumerator(Dictionary<long, double>.Enumerator inner) : IEnumerator<(Metric Metric, int Bucket, double Value)>
    {
        private Dictionary<long, double>.Enumerator _inner = inner;

        public readonly (Metric Metric, int Bucket, double Value) Current
        {
            get
            {
                var (key, value) = _inner.Current;
                return ((Metric)(key >> 32), (int)(key & 0xFFFF_FFFF), value);
            }
        }

        readonly object System.Collections.IEnumerator.Current => Current;

        public bool MoveNext() => _inner.MoveNext();

        public readonly void Reset() => throw new NotSupportedException();

        public void Dispose() => _inner.Dispose();
    }
}
