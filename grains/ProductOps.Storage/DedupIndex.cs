using SQLitePCL;

namespace ProductOps.Storage;

/// <summary>
/// A partition file's on-disk dedup index, in two levels: <c>dedup</c>, and a smaller
/// <c>dedup_young</c> that merges go into once <c>dedup</c> is large, moved into it in key order
/// a slice per commit whenever it has grown enough. Used inside the writer's transactions.
/// </summary>
/// <remarks>
/// A merge's keys are hashes, so they land on pages all over the index: once the index has more
/// pages than a merge has keys, each merged key rewrites a page of its own, and a merge's cost
/// grows with the file (the log's CPU per event half again as high at 625,000 keys a partition
/// as at 125,000). Merges into the young level touch only its pages, and a move rewrites each of
/// <c>dedup</c>'s pages about once for many keys. With the young level moved at
/// sqrt(2 x old keys x merge size) keys, the pages a key rewrites grow with the square root of
/// the index instead of with the index itself. Below <see cref="YoungFromMerges"/> merges' worth
/// of keys the young level would cost more than it saves (a second insert of every key), so merges
/// go straight into <c>dedup</c>.
/// <para>A key is in either level, or briefly in both (merged again after a reload); a move takes a
/// range of keys out of the young level in the transaction that puts them into <c>dedup</c>, so
/// every snapshot finds each key in one of them.</para>
/// </remarks>
internal sealed class DedupIndex : IDisposable
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS dedup (
            user_key  INTEGER NOT NULL,
            event_key INTEGER NOT NULL,
            seq       INTEGER NOT NULL,
            PRIMARY KEY (user_key, event_key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS dedup_young (
            user_key  INTEGER NOT NULL,
            event_key INTEGER NOT NULL,
            seq       INTEGER NOT NULL,
            PRIMARY KEY (user_key, event_key)) WITHOUT ROWID;
        """;

    /// <summary>One user's seqs in both levels, each once (<c>?1</c>: the user's key).</summary>
    public const string UserSeqs = "SELECT seq FROM dedup WHERE user_key = ?1 UNION SELECT seq FROM dedup_young WHERE user_key = ?1";

    /// <summary>Merges go into the young level once <c>dedup</c> holds this many merges' worth of keys.</summary>
    public const int YoungFromMerges = 16;

    // Keys the filter reads from dedup at a time: each read is a snapshot of its own, short enough
    // not to hold the WAL back on a large index.
    private const int FilterReadRows = 65_536;

    private readonly sqlite3 _db;
    private readonly int _mergeEvents;
    private readonly PreparedStatement _probe;
    private readonly KeyRows _insertOld;
    private readonly KeyRows _insertYoung;
    private readonly PreparedStatement _countYoung;
    private readonly PreparedStatement _sliceEnd;
    private readonly PreparedStatement _moveCopy;
    private readonly PreparedStatement _moveDelete;
    private long _oldKeys; // estimates, for when to use and move the young level
    private long _youngKeys;
    private (long UserKey, long EventKey)? _moveFrom; // the move under way: its next key, inclusive

    public DedupIndex(sqlite3 db, int mergeEvents)
    {
        _db = db;
        _mergeEvents = mergeEvents;
        _probe = new PreparedStatement(db, """
            SELECT COALESCE(
                (SELECT seq FROM dedup WHERE user_key = ?1 AND event_key = ?2),
                (SELECT seq FROM dedup_young WHERE user_key = ?1 AND event_key = ?2))
            """); // most keys are in dedup: a retry's is found in one seek
        _insertOld = new KeyRows(db, "dedup");
        _insertYoung = new KeyRows(db, "dedup_young");
        _countYoung = new PreparedStatement(db, "SELECT COUNT(*) FROM dedup_young");
        _sliceEnd = new PreparedStatement(db, """
            SELECT user_key, event_key FROM dedup_young WHERE (user_key, event_key) >= (?1, ?2)
            ORDER BY user_key, event_key LIMIT 1 OFFSET ?3
            """);
        _moveCopy = new PreparedStatement(db, """
            INSERT OR IGNORE INTO dedup (user_key, event_key, seq)
            SELECT user_key, event_key, seq FROM dedup_young
            WHERE (user_key, event_key) >= (?1, ?2) AND (user_key, event_key) <= (?3, ?4)
            ORDER BY user_key, event_key
            """);
        _moveDelete = new PreparedStatement(db, "DELETE FROM dedup_young WHERE (user_key, event_key) >= (?1, ?2) AND (user_key, event_key) <= (?3, ?4)");
    }

    /// <summary>Whether merges go into the young level now.</summary>
    internal bool UsesYoungLevel => _youngKeys > 0 || _oldKeys >= (long)YoungFromMerges * _mergeEvents;

    /// <summary>For tests: whether a move is under way.</summary>
    internal bool Moving => _moveFrom is not null;

    /// <summary>Keys the young level may gather before it is moved: the size that makes a merge's and
    /// a move's pages per key equal.</summary>
    private long MoveAt => (long)Math.Sqrt(2.0 * Math.Max(_oldKeys, 1) * _mergeEvents);

    /// <summary>After the writer (re)loads the file: counts the young level again, and any move
    /// under way starts over (what it had done is committed; the rest may have changed).</summary>
    public void Reload(long mergedThrough)
    {
        _moveFrom = null;
        _youngKeys = _countYoung.ReadInt64(none: 0);
        _oldKeys = Math.Max(0, mergedThrough - _youngKeys); // one key per merged event
    }

    /// <summary>The seq stored under the key, or 0 (seqs start at 1).</summary>
    public long Probe(long userKey, long eventKey)
    {
        _probe.Bind(1, userKey);
        _probe.Bind(2, eventKey);
        return _probe.ReadInt64(none: 0); // a NULL (in neither level) reads 0 too
    }

    /// <summary>Writes keys (sorted) into the level merges go into now.</summary>
    public void Write(ReadOnlySpan<(long UserKey, long EventKey, long Seq)> keys)
    {
        var young = UsesYoungLevel;
        (young ? _insertYoung : _insertOld).Write(keys);

        if (young)
        {
            _youngKeys += keys.Length;
        }
        else
        {
            _oldKeys += keys.Length;
        }
    }

    /// <summary>Moves the next <paramref name="rows"/> keys of the young level into <c>dedup</c>,
    /// starting a move when the young level is due one; nothing otherwise.</summary>
    public void MoveSlice(int rows)
    {
        if (_moveFrom is null)
        {
            if (_youngKeys < MoveAt)
            {
                return;
            }

            _moveFrom = (long.MinValue, long.MinValue);
        }

        var from = _moveFrom.Value;
        _sliceEnd.Bind(1, from.UserKey);
        _sliceEnd.Bind(2, from.EventKey);
        _sliceEnd.Bind(3, rows - 1);
        (long UserKey, long EventKey)? to = null; // none: the rest of the level
        try
        {
            if (_sliceEnd.Step())
            {
                to = (_sliceEnd.ColumnInt64(0), _sliceEnd.ColumnInt64(1));
            }
        }
        finally
        {
            _sliceEnd.Reset();
        }

        var (toUserKey, toEventKey) = to ?? (long.MaxValue, long.MaxValue);
        foreach (var range in new[] { _moveCopy, _moveDelete })
        {
            range.Bind(1, from.UserKey);
            range.Bind(2, from.EventKey);
            range.Bind(3, toUserKey);
            range.Bind(4, toEventKey);
            range.Run();
        }

        var moved = raw.sqlite3_changes(_db); // the delete's
        _youngKeys = Math.Max(0, _youngKeys - moved);
        _oldKeys += moved;
        _moveFrom = to; // moved out, so inclusive is right; none: the move is over
    }

    /// <summary>
    /// Every key of both levels into <paramref name="add"/>, on a connection of its own; false if
    /// <paramref name="stop"/> said so first. The young level is read whole, in one snapshot, before
    /// <c>dedup</c>: keys only ever move from it into <c>dedup</c>, so a key moved after that
    /// snapshot was read in it, and one in <c>dedup</c> stays there. <c>dedup</c> is read in
    /// slices, each a snapshot of its own, so a large index does not hold the WAL back.
    /// </summary>
    public static bool ReadAll(sqlite3 db, Action<long, long> add, Func<bool> stop)
    {
        using (var young = new PreparedStatement(db, "SELECT user_key, event_key FROM dedup_young"))
        {
            ReadSlice(young, add);
        }

        using var first = new PreparedStatement(db, "SELECT user_key, event_key FROM dedup ORDER BY user_key, event_key LIMIT ?1");
        using var next = new PreparedStatement(db, """
            SELECT user_key, event_key FROM dedup WHERE (user_key, event_key) > (?1, ?2)
            ORDER BY user_key, event_key LIMIT ?3
            """);
        first.Bind(1, FilterReadRows);
        var slice = first;
        while (!stop())
        {
            var (rows, lastUserKey, lastEventKey) = ReadSlice(slice, add);
            if (rows < FilterReadRows)
            {
                return true;
            }

            next.Bind(1, lastUserKey);
            next.Bind(2, lastEventKey);
            next.Bind(3, FilterReadRows);
            slice = next;
        }

        return false;
    }

    public void Dispose()
    {
        _insertOld.Dispose();
        _insertYoung.Dispose();
        foreach (var statement in new[] { _probe, _countYoung, _sliceEnd, _moveCopy, _moveDelete })
        {
            statement.Dispose();
        }
    }

    private static (int Rows, long LastUserKey, long LastEventKey) ReadSlice(PreparedStatement slice, Action<long, long> add)
    {
        var (rows, userKey, eventKey) = (0, 0L, 0L);
        try
        {
            while (slice.Step())
            {
                (userKey, eventKey) = (slice.ColumnInt64(0), slice.ColumnInt64(1));
                add(userKey, eventKey);
                rows++;
            }
        }
        finally
        {
            slice.Reset();
        }

        return (rows, userKey, eventKey);
    }

    /// <summary>Keys into one level, <see cref="MultiRowValues.Rows"/> to a statement and the rest one by one.</summary>
    private sealed class KeyRows(sqlite3 db, string table) : IDisposable
    {
        private const int Columns = 3;

        private readonly PreparedStatement _one = new(db, Sql(table, 1));
        private readonly PreparedStatement _many = new(db, Sql(table, MultiRowValues.Rows));

        public void Write(ReadOnlySpan<(long UserKey, long EventKey, long Seq)> keys)
        {
            var i = 0;
            for (; i + MultiRowValues.Rows <= keys.Length; i += MultiRowValues.Rows)
            {
                Run(_many, keys.Slice(i, MultiRowValues.Rows));
            }

            for (; i < keys.Length; i++)
            {
                Run(_one, keys.Slice(i, 1));
            }
        }

        public void Dispose()
        {
            _one.Dispose();
            _many.Dispose();
        }

        private static void Run(PreparedStatement statement, ReadOnlySpan<(long UserKey, long EventKey, long Seq)> keys)
        {
            for (var r = 0; r < keys.Length; r++)
            {
                var (userKey, eventKey, seq) = keys[r];
                statement.Bind((r * Columns) + 1, userKey);
                statement.Bind((r * Columns) + 2, eventKey);
                statement.Bind((r * Columns) + 3, seq);
            }

            statement.Run();
        }

        private static string Sql(string table, int rows) =>
            $"INSERT OR IGNORE INTO {table} (user_key, event_key, seq) {MultiRowValues.Of(rows, Columns)}";
    }
}
