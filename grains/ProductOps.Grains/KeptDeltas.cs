using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// The counter deltas a user grain keeps for its events after the partition's last checkpoint, in
/// seq order, so a re-dispatch gets the very answer the first dispatch got.
/// </summary>
/// <remarks>
/// Three flat arrays filled in place and reused while the user stays active, rather than one run
/// object per apply call: an old user grain that points at a new object every call makes each gen0
/// collection mark and promote that object, and the kept runs alone were about a quarter of every
/// pause. Copying deltas into arrays the grain already has stores no new object (a delta names its
/// feature by the string the user's state already holds), so the collector has nothing of this
/// user's to follow.
/// </remarks>
internal sealed class KeptDeltas
{
    private long[] _seqs = [];
    private int[] _ends = []; // event i's deltas are _deltas[_ends[i - 1].._ends[i]] (from 0 for the first)
    private CounterDelta[] _deltas = [];
    private int _count;

    /// <summary>How many events' deltas are kept.</summary>
    public int Count => _count;

    private int DeltaCount => _count == 0 ? 0 : _ends[_count - 1];

    /// <summary>Keeps the deltas of the run's events after the last one kept; the others (events
    /// sent again) are kept already.</summary>
    public void AddNew(AppliedDeltas run)
    {
        var last = _count == 0 ? long.MinValue : _seqs[_count - 1];
        for (var i = 0; i < run.Seqs.Length; i++)
        {
            if (run.Seqs[i] > last)
            {
                Add(run.Seqs[i], run.Of(i));
            }
        }
    }

    /// <summary>The kept deltas of <paramref name="seq"/>; false when none are kept for it.</summary>
    public bool TryFind(long seq, out ReadOnlySpan<CounterDelta> deltas)
    {
        var index = _seqs.AsSpan(0, _count).BinarySearch(seq);
        if (index < 0)
        {
            deltas = default;
            return false;
        }

        var start = index == 0 ? 0 : _ends[index - 1];
        deltas = _deltas.AsSpan(start, _ends[index] - start);
        return true;
    }

    /// <summary>Drops the deltas of events at or below <paramref name="checkpoint"/>: never asked for again.</summary>
    public void DropThrough(long checkpoint)
    {
        var dropped = 0;
        while (dropped < _count && _seqs[dropped] <= checkpoint)
        {
            dropped++;
        }

        if (dropped == 0)
        {
            return;
        }

        var droppedDeltas = _ends[dropped - 1];
        var keptDeltas = DeltaCount - droppedDeltas;
        var kept = _count - dropped;
        _seqs.AsSpan(dropped, kept).CopyTo(_seqs);
        _deltas.AsSpan(droppedDeltas, keptDeltas).CopyTo(_deltas);
        _deltas.AsSpan(keptDeltas, droppedDeltas).Clear(); // no stale feature names held
        for (var i = 0; i < kept; i++)
        {
            _ends[i] = _ends[dropped + i] - droppedDeltas;
        }

        _count = kept;
    }

    /// <summary>Lets go of the arrays when nothing is kept: a quiet user holds no spare capacity.</summary>
    public void TrimWhenEmpty()
    {
        if (_count == 0)
        {
            (_seqs, _ends, _deltas) = ([], [], []);
        }
    }

    /// <summary>Everything kept as one run: the stored form.</summary>
    public AppliedDeltas ToRun() =>
        new(_seqs[.._count], _ends[.._count], _deltas[..DeltaCount]);

    public void Clear()
    {
        _deltas.AsSpan(0, DeltaCount).Clear();
        _count = 0;
    }

    private void Add(long seq, ReadOnlySpan<CounterDelta> deltas)
    {
        var start = DeltaCount;
        if (_count == _seqs.Length)
        {
            var capacity = Math.Max(4, _count * 2);
            Array.Resize(ref _seqs, capacity);
            Array.Resize(ref _ends, capacity);
        }

        if (start + deltas.Length > _deltas.Length)
        {
            Array.Resize(ref _deltas, Math.Max(Math.Max(8, _deltas.Length * 2), start + deltas.Length));
        }

        deltas.CopyTo(_deltas.AsSpan(start));
        _seqs[_count] = seq;
        _ends[_count] = start + deltas.Length;
        _count++;
    }
}
