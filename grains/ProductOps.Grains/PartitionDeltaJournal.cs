using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// The counter deltas that the user grains of one partition, on this silo, returned for events
/// the partition has not yet checkpointed: what a re-dispatch must be answered with again. One
/// per partition per silo (<see cref="KeptDeltaJournal"/>), shared by the partition's users, each
/// of which follows its own events through it (<see cref="KeptDeltas"/>): every entry names the
/// same user's entry before it.
/// </summary>
/// <remarks>
/// Why shared rather than each user's: a user kept its deltas in arrays of its own from the moment
/// it applied until the checkpoint passed and it next ran, seconds later. At 100,000 users nearly
/// every user held them (three arrays, ~850 bytes a user at rest after the memory phase), and most
/// were new arrays an old user pointed at, which each gen0 collection had to find and promote.
/// Here the deltas are plain values in a few large arrays the partition's users share (no
/// references for the collector to follow, no card to mark), an entry costs what its deltas
/// take, and a stored checkpoint drops what it covers at once. Thread-safe: the partition's users
/// apply on any thread.
/// </remarks>
internal sealed class PartitionDeltaJournal
{
    public const long NoneKept = long.MinValue;
    private const int Tenant = -1; // a tenant counter's delta: an empty feature name
    private const int ChunkDeltas = 4096; // 96 KB: a chunk starts in the large object heap, old
    private const int RetainedNames = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<long, Entry> _entries = [];

    // The deltas, in chunks each entry's deltas fit in: a chunk no entry uses any more is reused.
    // Entries go mostly in the order they were written, so whole chunks free up with no moving.
    private readonly List<Chunk> _chunks = [];
    private readonly Stack<int> _freeChunks = new();
    private int _chunk = -1; // the chunk being written
    private int _used; // how much of it is
    private long _droppedThrough = long.MinValue;

    // The most chunks in use and entries held at once since the journal last emptied, and in the
    // stretch before: what the same load needs again after the next checkpoint.
    private int _busiestChunks;
    private int _busiestEntries;
    private int _busiestChunksBefore;
    private int _busiestEntriesBefore;

    // Feature names by index, in order of first use: a delta holds no reference. Cleared when the
    // journal is empty and the table large, so names no longer used do not pile up.
    private readonly Dictionary<string, int> _nameIndex = new(StringComparer.Ordinal);
    private List<string> _names = [];
    private string? _lastName; // an event's deltas come grouped by feature, named by one string
    private int _lastIndex;

    /// <summary>How many events have deltas here.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>How many chunks of deltas the journal holds (for tests).</summary>
    internal int Chunks
    {
        get
        {
            lock (_gate)
            {
                return _chunks.Count;
            }
        }
    }

    /// <summary>Keeps the deltas of the run's events after <paramref name="last"/>, one user's
    /// latest kept event (the others were sent again, and are kept already), each naming the one
    /// before it; nothing for events the checkpoint covers. Returns the user's new latest.</summary>
    public long AddNew(AppliedDeltas run, long last)
    {
        lock (_gate)
        {
            if (!_entries.ContainsKey(last))
            {
                last = NoneKept; // a checkpoint dropped them all
            }

            for (var i = 0; i < run.Seqs.Length; i++)
            {
                var seq = run.Seqs[i];
                if (seq > last)
                {
                    Add(seq, last, run.Of(i));
                    last = seq;
                }
            }

            return last;
        }
    }

    /// <summary>The deltas kept for <paramref name="seq"/>; false when none are.</summary>
    public bool TryFind(long seq, out CounterDelta[] deltas)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(seq, out var entry))
            {
                deltas = [];
                return false;
            }

            deltas = ToCounterDeltas(entry);
            return true;
        }
    }

    /// <summary>One user's kept events as one run, in seq order: the chain that ends at
    /// <paramref name="last"/>, back to its first event still held. Null when none is.</summary>
    public AppliedDeltas? RunEndingAt(long last)
    {
        lock (_gate)
        {
            var chain = new List<(long Seq, Entry Entry)>();
            for (var seq = last; _entries.TryGetValue(seq, out var entry); seq = entry.Previous)
            {
                chain.Add((seq, entry));
            }

            if (chain.Count == 0)
            {
                return null;
            }

            chain.Reverse();
            var seqs = new long[chain.Count];
            var ends = new int[chain.Count];
            var deltas = new List<CounterDelta>();
            for (var i = 0; i < chain.Count; i++)
            {
                seqs[i] = chain[i].Seq;
                deltas.AddRange(ToCounterDeltas(chain[i].Entry));
                ends[i] = deltas.Count;
            }

            return new AppliedDeltas(seqs, ends, [.. deltas]);
        }
    }

    /// <summary>Drops the deltas of events at or below <paramref name="checkpoint"/>, which the
    /// partition stored: they are never asked for again. A checkpoint below one seen before
    /// changes nothing.</summary>
    public void DropThrough(long checkpoint)
    {
        // Every apply call brings the checkpoint, which has mostly not moved: no need to wait for
        // the lock the partition's other users are writing under. Only ever raised, so a stale
        // read at most takes the lock for nothing.
        if (checkpoint <= Volatile.Read(ref _droppedThrough))
        {
            return;
        }

        lock (_gate)
        {
            if (checkpoint <= _droppedThrough)
            {
                return;
            }

            foreach (var (seq, entry) in _entries)
            {
                if (seq <= checkpoint)
                {
                    _entries.Remove(seq); // allowed while enumerating
                    Release(entry);
                }
            }

            Volatile.Write(ref _droppedThrough, checkpoint); // after the drop: a caller that reads it past the lock finds it done

            if (_entries.Count == 0 && _chunks.Count > 0)
            {
                LetGo();
            }
        }
    }

    /// <summary>Keeps <paramref name="seq"/>'s deltas, replacing any it had (a user rebuilt from its
    /// snapshot writes the same ones again). An event without deltas takes no room in a chunk.</summary>
    private void Add(long seq, long previous, ReadOnlySpan<CounterDelta> deltas)
    {
        if (seq <= _droppedThrough)
        {
            return; // never asked for again
        }

        // The names first: whatever fails there leaves the entries and chunks as they were.
        Span<int> names = deltas.Length <= 64 ? stackalloc int[deltas.Length] : new int[deltas.Length];
        for (var i = 0; i < deltas.Length; i++)
        {
            names[i] = NameIndex(deltas[i].Feature);
        }

        if (_entries.Remove(seq, out var replaced))
        {
            Release(replaced);
        }

        var entry = new Entry(previous, -1, 0, 0);
        if (deltas.Length > 0)
        {
            var (chunk, start) = Reserve(deltas.Length);
            var into = _chunks[chunk].Deltas;
            for (var i = 0; i < deltas.Length; i++)
            {
                var delta = deltas[i];
                into[start + i] = new KeptDelta(names[i], delta.Metric, delta.ExtraBuckets, delta.Bucket, delta.Amount);
            }

            entry = new Entry(previous, chunk, start, deltas.Length);
        }

        _entries[seq] = entry;
        _busiestEntries = Math.Max(_busiestEntries, _entries.Count);
    }

    /// <summary>Room for <paramref name="count"/> deltas in one chunk: the rest of the current one,
    /// else a freed chunk, else a new one.</summary>
    private (int Chunk, int Start) Reserve(int count)
    {
        if (_chunk < 0 || _used + count > _chunks[_chunk].Deltas.Length)
        {
            var left = _chunk;
            _chunk = -1;
            if (left >= 0 && _chunks[left].Live == 0)
            {
                Free(left); // nothing in it was kept long enough to be written past
            }

            if (count <= ChunkDeltas && _freeChunks.TryPop(out var free))
            {
                _chunks[free].IsFree = false;
                _chunk = free;
            }
            else
            {
                _chunks.Add(new Chunk(Math.Max(ChunkDeltas, count)));
                _chunk = _chunks.Count - 1;
            }

            _used = 0;
            _busiestChunks = Math.Max(_busiestChunks, _chunks.Count - _freeChunks.Count);
        }

        var start = _used;
        _used += count;
        _chunks[_chunk].Live += count;
        return (_chunk, start);
    }

    private void Release(Entry entry)
    {
        if (entry.Count > 0 && (_chunks[entry.Chunk].Live -= entry.Count) == 0 && entry.Chunk != _chunk)
        {
            Free(entry.Chunk);
        }
    }

    private void Free(int chunk)
    {
        if (!_chunks[chunk].IsFree)
        {
            _chunks[chunk].IsFree = true;
            _freeChunks.Push(chunk);
        }
    }

    /// <summary>An emptied journal keeps the chunks and the entries' table that both of its last
    /// two stretches between emptyings needed at their busiest, and gives back what is beyond: what
    /// a burst grew (at once, since the stretch before it needed less; an idle stretch keeps one
    /// chunk), chunks larger than the usual, a large name table.</summary>
    /// <remarks>A journal under steady load empties at most checkpoints: giving back everything
    /// there had each partition allocate its chunks anew (large objects, which count towards a
    /// full collection) and grow its table again from nothing: ~27 MB a second at saturation.
    /// A partition may go quiet right after any emptying, and what it keeps then stays: hence
    /// the smaller of two stretches, never a burst's.</remarks>
    private void LetGo()
    {
        var keep = Math.Max(1, Math.Min(_busiestChunks, _busiestChunksBefore));
        _chunks.RemoveAll(chunk => chunk.Deltas.Length != ChunkDeltas);
        if (_chunks.Count > keep)
        {
            _chunks.RemoveRange(keep, _chunks.Count - keep);
        }
        else if (_chunks.Count == 0)
        {
            _chunks.Add(new Chunk(ChunkDeltas));
        }

        // Every chunk is empty: the first is written next, the others wait their turn.
        _freeChunks.Clear();
        for (var i = _chunks.Count - 1; i >= 0; i--)
        {
            _chunks[i].Live = 0; // it is already, with no entries left; a count gone wrong stays in one stretch
            _chunks[i].IsFree = i > 0;
            if (i > 0)
            {
                _freeChunks.Push(i);
            }
        }

        (_chunk, _used) = (0, 0);
        var entries = Math.Min(_busiestEntries, _busiestEntriesBefore);
        if (_entries.Capacity > 2 * entries)
        {
            _entries.TrimExcess(entries + (entries / 2)); // room for the load to vary
        }

        (_busiestChunksBefore, _busiestEntriesBefore) = (_busiestChunks, _busiestEntries);
        (_busiestChunks, _busiestEntries) = (1, 0);
        if (_names.Count > RetainedNames)
        {
            _names = [];
            _nameIndex.Clear();
            _nameIndex.TrimExcess();
            _lastName = null;
        }
    }

    private int NameIndex(string feature)
    {
        if (feature.Length == 0)
        {
            return Tenant;
        }

        if (ReferenceEquals(feature, _lastName))
        {
            return _lastIndex;
        }

        if (!_nameIndex.TryGetValue(feature, out var index))
        {
            index = _names.Count;
            _names.Add(feature);
            _nameIndex[feature] = index;
        }

        (_lastName, _lastIndex) = (feature, index);
        return index;
    }

    private CounterDelta[] ToCounterDeltas(Entry entry)
    {
        if (entry.Count == 0)
        {
            return [];
        }

        var from = _chunks[entry.Chunk].Deltas;
        var deltas = new CounterDelta[entry.Count];
        for (var i = 0; i < deltas.Length; i++)
        {
            var delta = from[entry.Start + i];
            var feature = delta.Feature == Tenant ? string.Empty : _names[delta.Feature];
            deltas[i] = new CounterDelta(feature, delta.Metric, delta.Bucket, delta.Amount, delta.ExtraBuckets);
        }

        return deltas;
    }

    /// <summary>Deltas kept together, how many of them entries still use, and whether the chunk waits
    /// to be written again (so that it is never handed out twice).</summary>
    private sealed class Chunk(KeptDelta[] deltas)
    {
        public Chunk(int length)
            : this(new KeptDelta[length])
        {
        }

        public KeptDelta[] Deltas { get; } = deltas;

        public int Live { get; set; }

        public bool IsFree { get; set; }
    }

    /// <summary>A kept event: the same user's kept event before it, and where its deltas are (no
    /// chunk, -1, when it has none).</summary>
    private readonly record struct Entry(long Previous, int Chunk, int Start, int Count);

    /// <summary>A <see cref="CounterDelta"/> with its feature as an index into the names (24 bytes
    /// against 32, and no reference).</summary>
    internal readonly record struct KeptDelta(int Feature, Metric Metric, ushort ExtraBuckets, int Bucket, double Amount);
}
