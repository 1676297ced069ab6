namespace ProductOps.Storage;

/// <summary>
/// Says "certainly not in the partition's dedup index" for most new events, so they skip the
/// index probe: a B-tree seek whose cost grows with the log, and the largest part of the log's
/// CPU per event. A blocked Bloom filter: a key sets 7 bits in one 512-bit block (one cache line),
/// at 10 bits a key, so each full segment answers "maybe" for about 1% of the keys it does not
/// hold. It never forgets a key: a "no" is always right.
/// </summary>
/// <remarks>
/// It grows by segments, each with room for as many keys as all the ones before it, so nothing is
/// ever rebuilt and a check reads one cache line per segment (about log2 of the keys over the
/// first segment's room; its false "maybe"s add up over the segments). A filter read in when its
/// writer opens starts with room for twice the keys already there, so it has one or two. Its
/// memory grows with the log, not the users (1.25 bytes a key, and the newest segment's room), so
/// it stops at <c>maxBytes</c>: past that it is <see cref="Full"/>, answers "maybe" to
/// everything, and its owner lets it go and probes every key.
/// </remarks>
internal sealed class DedupFilter
{
    public const int BitsPerKey = 10;

    /// <summary>The least room a segment is made with (80 KiB).</summary>
    public const long MinKeys = 65_536;

    private const int BitsSetPerKey = 7;
    private const int BitsPerBlock = 512;
    private const int WordsPerBlock = BitsPerBlock / 64;

    // Random per filter, so whoever picks event ids cannot choose which keys share a block.
    private readonly ulong _userSeed = (ulong)Random.Shared.NextInt64() | 1;
    private readonly ulong _eventSeed = (ulong)Random.Shared.NextInt64() | 1;
    private readonly long _maxBytes;
    private Segment[] _segments;

    /// <param name="keys">Room for this many keys in the first segment (at least <see cref="MinKeys"/>).</param>
    /// <param name="maxBytes">The most all segments may take.</param>
    public DedupFilter(long keys, long maxBytes)
    {
        _maxBytes = maxBytes;
        var first = Segment.WithRoomFor(Math.Max(keys, MinKeys), maxBytes);
        _segments = first is null ? [] : [first];
        Full = first is null;
    }

    /// <summary>The most keys a filter capped at <paramref name="maxBytes"/> can hold.</summary>
    public static long KeysWithin(long maxBytes) => maxBytes * 8 / BitsPerKey;

    /// <summary>The cap was reached: a key could not be added, so every check says "maybe".</summary>
    public bool Full { get; private set; }

    public long Bytes => _segments.Sum(s => s.Bytes);

    public int Segments => _segments.Length;

    public bool MayContain(long userKey, long eventKey)
    {
        if (Full)
        {
            return true;
        }

        var hash = Hash(userKey, eventKey);
        foreach (var segment in _segments)
        {
            if (segment.MayContain(hash))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Not thread-safe: one thread adds at a time, and none checks meanwhile.</summary>
    public void Add(long userKey, long eventKey)
    {
        if (Full)
        {
            return;
        }

        var last = _segments[^1];
        if (last.IsFull)
        {
            var room = _segments.Sum(s => s.Room);
            Segment? next;
            try
            {
                next = Segment.WithRoomFor(room, _maxBytes - Bytes);
            }
            catch (OutOfMemoryException)
            {
                next = null; // as if at the cap: the owner lets the filter go, and nothing else fails
            }

            if (next is null)
            {
                Full = true;
                return;
            }

            _segments = [.. _segments, next];
            last = next;
        }

        last.Add(Hash(userKey, eventKey));
    }

    private ulong Hash(long userKey, long eventKey)
    {
        var hash = ((ulong)userKey * _userSeed) ^ ((ulong)eventKey * _eventSeed);
        hash ^= hash >> 32;
        hash *= 0xD6E8FEB86659FD93UL;
        return hash ^ (hash >> 32);
    }

    /// <summary>Room for a number of keys, in chunks of 64 KiB: a single array of a large
    /// segment would land on the large object heap, and a burst of those (every partition
    /// growing its filter at about the same count) triggers the full collections that stall the
    /// node.</summary>
    private sealed class Segment
    {
        private const int BlocksPerChunkBits = 10; // 1,024 blocks, 64 KiB: under the 85,000 bytes of a large object
        private const int BlocksPerChunk = 1 << BlocksPerChunkBits;

        private readonly ulong[][] _chunks;
        private readonly ulong _blocks;

        private Segment(long blocks)
        {
            _blocks = (ulong)blocks;
            _chunks = new ulong[(blocks + BlocksPerChunk - 1) / BlocksPerChunk][];
            for (var i = 0; i < _chunks.Length; i++)
            {
                _chunks[i] = new ulong[Math.Min(BlocksPerChunk, blocks - ((long)i * BlocksPerChunk)) * WordsPerBlock];
            }

            Room = blocks * BitsPerBlock / BitsPerKey;
            Bytes = blocks * (BitsPerBlock / 8);
        }

        public long Room { get; }

        public long Count { get; private set; }

        public bool IsFull => Count >= Room;

        public long Bytes { get; }

        /// <summary>A segment with room for <paramref name="keys"/>, or as many as <paramref name="maxBytes"/>
        /// allows; null when that is less than <see cref="MinKeys"/>.</summary>
        public static Segment? WithRoomFor(long keys, long maxBytes)
        {
            var blocks = Math.Min(BlocksFor(keys), maxBytes / (BitsPerBlock / 8));
            return blocks < BlocksFor(MinKeys) ? null : new Segment(blocks);
        }

        public bool MayContain(ulong hash)
        {
            var (words, first, bits) = Locate(hash);
            for (var i = 0; i < BitsSetPerKey; i++, bits >>= 9)
            {
                if ((words[first + (int)((bits & 511) >> 6)] & (1UL << (int)bits)) == 0)
                {
                    return false;
                }
            }

            return true;
        }

        public void Add(ulong hash)
        {
            var (words, first, bits) = Locate(hash);
            for (var i = 0; i < BitsSetPerKey; i++, bits >>= 9)
            {
                words[first + (int)((bits & 511) >> 6)] |= 1UL << (int)bits;
            }

            Count++;
        }

        private static long BlocksFor(long keys) => ((keys * BitsPerKey) + BitsPerBlock - 1) / BitsPerBlock;

        /// <summary>The block (from the hash's high half, scaled to the block count) as its chunk
        /// and first word there, and 63 bits that name the 7 bits in it (from all of the hash,
        /// mixed again).</summary>
        private (ulong[] Words, int First, ulong Bits) Locate(ulong hash)
        {
            var block = (int)(((hash >> 32) * _blocks) >> 32);
            var bits = (hash ^ (hash >> 29)) * 0x94D049BB133111EBUL;
            return (_chunks[block >> BlocksPerChunkBits], (block & (BlocksPerChunk - 1)) * WordsPerBlock, bits);
        }
    }
}
