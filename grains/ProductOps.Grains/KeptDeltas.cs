using System.Buffers;
using System.Runtime.CompilerServices;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// The counter deltas a user grain keeps for its events after the partition's last checkpoint, in
/// seq order, so a re-dispatch gets the very answer the first dispatch got.
/// </summary>
/// <remarks>
/// Flat arrays filled in place, rather than one run object per apply call, holding no references
/// (a delta names its feature by its index in a small table of names), and rented from pools
/// the silo's users share. An old user grain that points at a new object makes the next gen0
/// collection mark and promote it: arrays allocated afresh each time a user became active again
/// were most of what a collection promoted, and doubled the pauses (40-43 ms against 18-20 ms
/// with the arrays kept, eleventh round). Pooled arrays are old already, and a quiet user gives
/// them back rather than holding spare capacity. A reference stored into an old array marks a
/// card the next collection scans; plain values mark none, and the collector never looks inside
/// the delta array.
/// </remarks>
internal sealed class KeptDeltas
{
    private const int Tenant = -1; // a tenant counter's delta: an empty feature name

    // Bounded: each pool keeps at most PooledPerSize arrays of each size it serves (16, 32 and 64
    // items), about 44 MB for the three if every slot were full. Arrays past that count, and the
    // longer arrays of a busy user, are the collector's as before. A pool may hand out a larger
    // array than asked for (when the asked size has none left), so every array grows by its own
    // length: two arrays grown together once drifted apart that way, and one overflowed.
    private const int PooledLength = 64;
    private const int PooledPerSize = 8192;
    private static readonly ArrayPool<KeptEvent> EventPool = ArrayPool<KeptEvent>.Create(PooledLength, PooledPerSize);
    private static readonly ArrayPool<KeptDelta> DeltaPool = ArrayPool<KeptDelta>.Create(PooledLength, PooledPerSize);
    private static readonly ArrayPool<string> NamePool = ArrayPool<string>.Create(PooledLength, PooledPerSize);

    private KeptEvent[] _events = []; // event i's deltas are _deltas[_events[i - 1].End.._events[i].End] (from 0 for the first)
    private KeptDelta[] _deltas = [];
    private int _count;

    // The names the kept deltas use, in order of first use. Only grows while the arrays are held,
    // so an index stays valid for as long as a delta may carry it; at most the user's features.
    private string[] _features = [];
    private int _featureCount;

    /// <summary>How many events' deltas are kept.</summary>
    public int Count => _count;

    private int DeltaCount => _count == 0 ? 0 : _events[_count - 1].End;

    /// <summary>Keeps the deltas of the run's events after the last one kept; the others (events
    /// sent again) are kept already.</summary>
    public void AddNew(AppliedDeltas run)
    {
        var last = _count == 0 ? long.MinValue : _events[_count - 1].Seq;
        for (var i = 0; i < run.Seqs.Length; i++)
        {
            if (run.Seqs[i] > last)
            {
                Add(run.Seqs[i], run.Of(i));
            }
        }
    }

    /// <summary>The kept deltas of <paramref name="seq"/>; false when none are kept for it.</summary>
    /// <remarks>A new array: only a re-dispatch or a snapshot asks.</remarks>
    public bool TryFind(long seq, out CounterDelta[] deltas)
    {
        var index = IndexOf(seq);
        if (index < 0)
        {
            deltas = [];
            return false;
        }

        var start = index == 0 ? 0 : _events[index - 1].End;
        deltas = ToCounterDeltas(_deltas.AsSpan(start, _events[index].End - start));
        return true;
    }

    /// <summary>Drops the deltas of events at or below <paramref name="checkpoint"/>: never asked for again.</summary>
    public void DropThrough(long checkpoint)
    {
        var dropped = 0;
        while (dropped < _count && _events[dropped].Seq <= checkpoint)
        {
            dropped++;
        }

        if (dropped == 0)
        {
            return;
        }

        var droppedDeltas = _events[dropped - 1].End;
        var keptDeltas = DeltaCount - droppedDeltas;
        var kept = _count - dropped;
        _deltas.AsSpan(droppedDeltas, keptDeltas).CopyTo(_deltas);
        for (var i = 0; i < kept; i++)
        {
            var moved = _events[dropped + i];
            _events[i] = moved with { End = moved.End - droppedDeltas };
        }

        _count = kept;
    }

    /// <summary>Gives the arrays back when nothing is kept: a quiet user holds no spare capacity.</summary>
    public void TrimWhenEmpty()
    {
        if (_count == 0)
        {
            GiveBack(EventPool, ref _events);
            GiveBack(DeltaPool, ref _deltas);
            _features.AsSpan(0, _featureCount).Clear(); // the pool holds no one's names
            GiveBack(NamePool, ref _features);
            _featureCount = 0;
        }
    }

    /// <summary>Everything kept as one run: the stored form.</summary>
    public AppliedDeltas ToRun()
    {
        var seqs = new long[_count];
        var ends = new int[_count];
        for (var i = 0; i < _count; i++)
        {
            (seqs[i], ends[i]) = (_events[i].Seq, _events[i].End);
        }

        return new AppliedDeltas(seqs, ends, ToCounterDeltas(_deltas.AsSpan(0, DeltaCount)));
    }

    public void Clear()
    {
        _features.AsSpan(0, _featureCount).Clear();
        (_count, _featureCount) = (0, 0);
    }

    private void Add(long seq, ReadOnlySpan<CounterDelta> deltas)
    {
        var start = DeltaCount;
        if (_count == _events.Length)
        {
            Grow(EventPool, ref _events, _count, _count + 1);
        }

        if (start + deltas.Length > _deltas.Length)
        {
            Grow(DeltaPool, ref _deltas, start, start + deltas.Length);
        }

        for (var i = 0; i < deltas.Length; i++)
        {
            var delta = deltas[i];
            _deltas[start + i] = new KeptDelta(
                FeatureIndex(delta.Feature), delta.Metric, delta.ExtraBuckets, delta.Bucket, delta.Amount);
        }

        _events[_count] = new KeptEvent(seq, start + deltas.Length);
        _count++;
    }

    /// <summary>The name's index in the table, added if new. Deltas name a known feature by the
    /// string the user's state holds, so the same instance comes back and is found at once.</summary>
    private int FeatureIndex(string feature)
    {
        if (feature.Length == 0)
        {
            return Tenant;
        }

        var names = _features.AsSpan(0, _featureCount);
        for (var i = 0; i < names.Length; i++)
        {
            if (ReferenceEquals(names[i], feature))
            {
                return i;
            }
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (string.Equals(names[i], feature, StringComparison.Ordinal))
            {
                return i;
            }
        }

        if (_featureCount == _features.Length)
        {
            Grow(NamePool, ref _features, _featureCount, _featureCount + 1);
        }

        _features[_featureCount] = feature;
        return _featureCount++;
    }

    private CounterDelta[] ToCounterDeltas(ReadOnlySpan<KeptDelta> kept)
    {
        var deltas = new CounterDelta[kept.Length];
        for (var i = 0; i < kept.Length; i++)
        {
            var delta = kept[i];
            var feature = delta.Feature == Tenant ? string.Empty : _features[delta.Feature];
            deltas[i] = new CounterDelta(feature, delta.Metric, delta.Bucket, delta.Amount, delta.ExtraBuckets);
        }

        return deltas;
    }

    /// <summary>Index of the kept event with <paramref name="seq"/> (kept in seq order), or -1.</summary>
    private int IndexOf(long seq)
    {
        var (low, high) = (0, _count - 1);
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var found = _events[middle].Seq;
            if (found == seq)
            {
                return middle;
            }

            (low, high) = found < seq ? (middle + 1, high) : (low, middle - 1);
        }

        return -1;
    }

    /// <summary>A kept event: its seq, and where its deltas end in the delta array.</summary>
    internal readonly record struct KeptEvent(long Seq, int End);

    /// <summary>A <see cref="CounterDelta"/> with its feature as an index into the names (24 bytes
    /// against 32, and no reference).</summary>
    internal readonly record struct KeptDelta(int Feature, Metric Metric, ushort ExtraBuckets, int Bucket, double Amount);

    /// <summary>Swaps <paramref name="array"/> for a pooled one of at least twice its length (and
    /// <paramref name="needed"/>), its first <paramref name="used"/> items copied over.</summary>
    private static void Grow<T>(ArrayPool<T> pool, ref T[] array, int used, int needed)
    {
        var larger = pool.Rent(Math.Max(needed, array.Length * 2));
        array.AsSpan(0, used).CopyTo(larger);
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            array.AsSpan(0, used).Clear();
        }

        GiveBack(pool, ref array);
        array = larger;
    }

    private static void GiveBack<T>(ArrayPool<T> pool, ref T[] array)
    {
        if (array.Length > 0) // the empty array was never the pool's
        {
            pool.Return(array);
        }

        array = [];
    }
}
