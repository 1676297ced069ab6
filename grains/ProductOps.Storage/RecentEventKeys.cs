namespace ProductOps.Storage;

/// <summary>
/// The dedup keys of a partition's events that are not yet in its on-disk dedup index: every
/// committed event with seq above <see cref="MergedThrough"/>, up to <see cref="KnownHead"/>.
/// They are written to the index in one sorted pass once there are enough of them, so a commit
/// no longer rewrites a random index page per event. Also finds a user's recent events (by seq)
/// for a user grain's catch-up.
/// </summary>
/// <remarks>Only the partition's writer changes it, and reads it without locking; other threads
/// (readers) take a consistent view under the lock, which every change also takes.</remarks>
internal sealed class RecentEventKeys
{
    private readonly Lock _lock = new();
    private readonly List<Entry> _entries = [];
    private readonly Dictionary<(long UserKey, long EventKey), int> _byKey = [];
    private readonly Dictionary<long, int> _lastOfUser = [];
    private (long UserKey, long EventKey, long Seq)[] _sorted = [];

    /// <summary>Events with seq at or below this are in the on-disk index.</summary>
    public long MergedThrough { get; private set; }

    /// <summary>The head this holds every event up to: the partition's head after the writer's
    /// last commit, or when it last read the file.</summary>
    public long KnownHead { get; private set; }

    public int Count => _entries.Count;

    /// <summary>The seq of the event stored under this key, if it is a recent one. Writer only.</summary>
    public bool TryFind(long userKey, long eventKey, out long seq)
    {
        if (_byKey.TryGetValue((userKey, eventKey), out var index))
        {
            seq = _entries[index].Seq;
            return true;
        }

        seq = 0;
        return false;
    }

    /// <summary>Adds a commit's new events (in seq order) and moves <see cref="KnownHead"/> to its head.</summary>
    public void AddCommitted(IReadOnlyList<(long UserKey, long EventKey, long Seq)> added, long head)
    {
        lock (_lock)
        {
            foreach (var (userKey, eventKey, seq) in added)
            {
                Add(userKey, eventKey, seq);
            }

            KnownHead = head;
        }
    }

    private void Add(long userKey, long eventKey, long seq)
    {
        var previous = _lastOfUser.TryGetValue(userKey, out var last) ? last : -1;
        _lastOfUser[userKey] = _entries.Count;
        _byKey[(userKey, eventKey)] = _entries.Count;
        _entries.Add(new Entry(userKey, eventKey, seq, previous));
    }

    /// <summary>Starts over: nothing recent above <paramref name="mergedThrough"/> (the caller adds
    /// what the file holds above it), everything up to <paramref name="head"/> known.</summary>
    public void Reset(long mergedThrough, long head)
    {
        lock (_lock)
        {
            _entries.Clear();
            _byKey.Clear();
            _lastOfUser.Clear();
            MergedThrough = mergedThrough;
            KnownHead = head;
        }
    }

    /// <summary>Lets go of the events up to <paramref name="mergedThrough"/>, now in the index, and
    /// keeps those committed since.</summary>
    public void DropThrough(long mergedThrough)
    {
        lock (_lock)
        {
            var kept = _entries.FindIndex(e => e.Seq > mergedThrough);
            var later = kept < 0 ? [] : _entries.GetRange(kept, _entries.Count - kept);
            _entries.Clear();
            _byKey.Clear();
            _lastOfUser.Clear();
            MergedThrough = mergedThrough;
            foreach (var entry in later)
            {
                Add(entry.UserKey, entry.EventKey, entry.Seq);
            }
        }
    }

    /// <summary>The keys in index order, for a merge. Writer only: the memory is this object's
    /// and is filled again by the next call, so a merge must be done (or dropped) before it.</summary>
    /// <remarks>Kept from merge to merge because a merge's keys (24 bytes each, 16,384 by
    /// default) land on the large object heap: a new array per merge was most of the node's
    /// large allocations, and those trigger the full collections that stall it.</remarks>
    public ReadOnlyMemory<(long UserKey, long EventKey, long Seq)> SortedByKey()
    {
        if (_sorted.Length < _entries.Count)
        {
            _sorted = new (long, long, long)[Math.Max(_entries.Count, _sorted.Length * 2)];
        }

        var keys = _sorted.AsSpan(0, _entries.Count);
        for (var i = 0; i < keys.Length; i++)
        {
            var entry = _entries[i];
            keys[i] = (entry.UserKey, entry.EventKey, entry.Seq);
        }

        keys.Sort(static (a, b) => a.UserKey != b.UserKey ? a.UserKey.CompareTo(b.UserKey) : a.EventKey.CompareTo(b.EventKey));
        return _sorted.AsMemory(0, keys.Length);
    }

    /// <summary>A consistent view for reading one user: where the index ends, how far this is
    /// complete, and the user's recent seqs above <paramref name="afterSeq"/>, ascending (by user
    /// key: the caller checks the rows are the user's).</summary>
    public RecentView ViewOfUser(long userKey, long afterSeq)
    {
        lock (_lock)
        {
            var seqs = new List<long>();
            var index = _lastOfUser.TryGetValue(userKey, out var last) ? last : -1;
            while (index >= 0 && _entries[index].Seq > afterSeq)
            {
                seqs.Add(_entries[index].Seq);
                index = _entries[index].PreviousOfUser;
            }

            seqs.Reverse();
            return new RecentView(MergedThrough, KnownHead, seqs);
        }
    }

    private readonly record struct Entry(long UserKey, long EventKey, long Seq, int PreviousOfUser);
}
