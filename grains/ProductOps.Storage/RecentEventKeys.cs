namespace ProductOps.Storage;

/// <summary>
/// The dedup keys of a partition's events that are not yet in its on-disk dedup index: every
/// committed event with seq above <see cref="MergedThrough"/>, up to <see cref="KnownHead"/>.
/// They are written to the index in one sorted pass once there are enough of them, so a commit
/// no longer rewrites a random index page per event. Also finds a user's recent events (by seq)
/// for a user grain's catch-up.
/// </summary>
/// <remarks>
/// <para>Only the partition's writer changes it, and reads it without locking; other threads
/// (readers) take a consistent view under the lock, which every change also takes.</para>
/// <para>Held as three arrays of value types, not dictionaries and a list: the entries in seq
/// order, a chained table from key to entry, and an open-addressed table from user to their last
/// entry (each entry links to the user's one before). 44 bytes an event at full capacity instead
/// of about 100; a partition holds a merge's worth (16,384 by default) and what arrives while it
/// is written. The arrays are kept when the keys are dropped after a merge, so a warm writer
/// allocates nothing here.</para>
/// </remarks>
internal sealed class RecentEventKeys
{
    private const int InitialCapacity = 256;

    private readonly Lock _lock = new();

    // A random odd multiplier per instance (multiply-shift hashing): which keys share a bucket
    // cannot be chosen by whoever picks the event ids.
    private readonly ulong _multiplier = (ulong)Random.Shared.NextInt64() | 1;

    private Entry[] _entries = [];
    private int _count;

    // Entry index + 1 of the newest entry in each key bucket; 0 = none. Capacity slots.
    private int[] _keyBuckets = [];

    // Entry index + 1 of each user's newest entry; 0 = free. Twice capacity slots, linear probing.
    private int[] _userSlots = [];
    private int _capacityBits;

    private (long UserKey, long EventKey, long Seq)[] _sorted = [];

    /// <summary>Events with seq at or below this are in the on-disk index.</summary>
    public long MergedThrough { get; private set; }

    /// <summary>The head this holds every event up to: the partition's head after the writer's
    /// last commit, or when it last read the file.</summary>
    public long KnownHead { get; private set; }

    public int Count => _count;

    /// <summary>The seq of the event stored under this key, if it is a recent one. Writer only.</summary>
    public bool TryFind(long userKey, long eventKey, out long seq)
    {
        if (_count > 0)
        {
            for (var index = _keyBuckets[KeyBucket(userKey, eventKey)] - 1; index >= 0; index = _entries[index].NextInBucket)
            {
                ref readonly var entry = ref _entries[index];
                if (entry.UserKey == userKey && entry.EventKey == eventKey)
                {
                    seq = entry.Seq;
                    return true;
                }
            }
        }

        seq = 0;
        return false;
    }

    /// <summary>Every key held, in seq order. Writer only.</summary>
    public void CopyKeysTo(List<(long UserKey, long EventKey)> keys)
    {
        for (var i = 0; i < _count; i++)
        {
            keys.Add((_entries[i].UserKey, _entries[i].EventKey));
        }
    }

    /// <summary>Adds a commit's new events (in seq order) and moves <see cref="KnownHead"/> to its head.</summary>
    public void AddCommitted(IReadOnlyList<(long UserKey, long EventKey, long Seq)> added, long head)
    {
        lock (_lock)
        {
            foreach (var (userKey, eventKey, seq) in added)
            {
                if (_count == _entries.Length)
                {
                    Grow();
                }

                _entries[_count] = new Entry(userKey, eventKey, seq);
                Link(_count++);
            }

            KnownHead = head;
        }
    }

    /// <summary>Starts over: nothing recent above <paramref name="mergedThrough"/> (the caller adds
    /// what the file holds above it), everything up to <paramref name="head"/> known.</summary>
    public void Reset(long mergedThrough, long head)
    {
        lock (_lock)
        {
            _count = 0;
            ClearTables();
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
            var kept = 0;
            while (kept < _count && _entries[kept].Seq <= mergedThrough)
            {
                kept++;
            }

            Array.Copy(_entries, kept, _entries, 0, _count - kept);
            _count -= kept;
            MergedThrough = mergedThrough;
            Relink();
        }
    }

    /// <summary>The keys in index order, for a merge. Writer only: the memory is this object's
    /// and is filled again by the next call, so a merge must be done (or dropped) before it.</summary>
    /// <remarks>Kept from merge to merge because a merge's keys (24 bytes each, 16,384 by
    /// default) land on the large object heap: a new array per merge was most of the node's
    /// large allocations, and those trigger the full collections that stall it.</remarks>
    public ReadOnlyMemory<(long UserKey, long EventKey, long Seq)> SortedByKey()
    {
        if (_sorted.Length < _count)
        {
            _sorted = new (long, long, long)[Math.Max(_count, _sorted.Length * 2)];
        }

        var keys = _sorted.AsSpan(0, _count);
        for (var i = 0; i < keys.Length; i++)
        {
            ref readonly var entry = ref _entries[i];
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
            var index = _count > 0 ? UserSlot(userKey) - 1 : -1;
            while (index >= 0 && _entries[index].Seq > afterSeq)
            {
                seqs.Add(_entries[index].Seq);
                index = _entries[index].PreviousOfUser;
            }

            seqs.Reverse();
            return new RecentView(MergedThrough, KnownHead, seqs);
        }
    }

    /// <summary>Chains entry <paramref name="index"/> (already written) into both tables.</summary>
    private void Link(int index)
    {
        ref var entry = ref _entries[index];
        ref var userSlot = ref UserSlot(entry.UserKey);
        entry.PreviousOfUser = userSlot - 1;
        userSlot = index + 1;

        ref var bucket = ref _keyBuckets[KeyBucket(entry.UserKey, entry.EventKey)];
        entry.NextInBucket = bucket - 1;
        bucket = index + 1;
    }

    /// <summary>The user's slot: the one holding their newest entry, or the free one they would take.</summary>
    private ref int UserSlot(long userKey)
    {
        var mask = _userSlots.Length - 1;
        var slot = (int)(((ulong)userKey * _multiplier) >> (63 - _capacityBits));
        while (_userSlots[slot] != 0 && _entries[_userSlots[slot] - 1].UserKey != userKey)
        {
            slot = (slot + 1) & mask;
        }

        return ref _userSlots[slot];
    }

    private int KeyBucket(long userKey, long eventKey) =>
        (int)(((ulong)(userKey ^ eventKey) * _multiplier) >> (64 - _capacityBits));

    private void Grow()
    {
        var capacity = Math.Max(InitialCapacity, _entries.Length * 2);
        Array.Resize(ref _entries, capacity);
        _capacityBits = int.Log2(capacity);
        _keyBuckets = new int[capacity];
        _userSlots = new int[capacity * 2];
        Relink();
    }

    private void Relink()
    {
        ClearTables();
        for (var index = 0; index < _count; index++)
        {
            Link(index);
        }
    }

    private void ClearTables()
    {
        Array.Clear(_keyBuckets);
        Array.Clear(_userSlots);
    }

    private struct Entry(long userKey, long eventKey, long seq)
    {
        public readonly long UserKey = userKey;
        public readonly long EventKey = eventKey;
        public readonly long Seq = seq;

        /// <summary>Index of the user's entry before this one, or -1.</summary>
        public int PreviousOfUser;

        /// <summary>Index of the next (older) entry in this one's key bucket, or -1.</summary>
        public int NextInBucket;
    }
}
