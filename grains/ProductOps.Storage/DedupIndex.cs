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
    // What the levels hold, for when to use and move the young level: as of the last commit, and
    // with the current transaction's writes (dropped if it rolls back).
    private Levels _committed;
    private Levels _working;

    public DedupIndex(sqlite3 db, int mergeEvents)
    {
        _db = db;
        _mergeEvents = mergeEvents;
        try
        {
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
        catch
        {
            Dispose(); // the statements prepared so far: the writer closes the connection next
            throw;
        }
    }

    /// <summary>Whether merges go into the young level now.</summary>
    internal bool UsesYoungLevel => _working.YoungKeys > 0 || _working.OldKeys >= (long)YoungFromMerges * _mergeEvents;

    /// <summary>For tests: whether a move is under way.</summary>
    internal bool Moving => _working.MoveFrom is not null;

    /// <summary>For tests: the keys the young level holds, as counted.</summary>
    internal long YoungKeys => _working.YoungKeys;

    /// <summary>Keys the young level may gather before it is moved: the size that makes a merge's and
    /// a move's pages per key equal.</summary>
    private long MoveAt => (long)Math.Sqrt(2.0 * Math.Max(_working.OldKeys, 1) * _mergeEvents);

    /// <summary>After the writer (re)loads the file: counts the young level again, and any move
    /// under way starts over (what it had done is committed; the rest may have changed). Its
    /// reading holds whether or not the transaction it ran in commits.</summary>
    public void Reload(long mergedThrough)
    {
        var young = _countYoung.ReadInt64(none: 0);
        _committed = _working = new Levels(Math.Max(0, mergedThrough - young), young, null); // one key per merged event
    }

    /// <summary>The writer's transaction committed: its writes and moves count from now on.</summary>
    public void Committed() => _committed = _working;

    /// <summary>The writer's transaction rolled back: its writes and moves never happened.</summary>
    public void RolledBack() => _working = _committed;

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
        if (UsesYoungLevel)
        {
            _working = _working with { YoungKeys = _working.YoungKeys + _insertYoung.Write(keys) };
        }
        else
        {
            _working = _working with { OldKeys = _working.OldKeys + _insertOld.Write(keys) };
        }
    }

    /// <summary>Moves the next <paramref name="rows"/> keys of the young level into <c>dedup</c>,
    /// starting a move when the young level is due one; nothing otherwise.</summary>
    public void MoveSlice(int rows)
    {
        if (_working.MoveFrom is not { } from)
        {
            if (_working.YoungKeys < MoveAt)
            {
                return;
            }

            from = (long.MinValue, long.MinValue);
        }

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

        var through = to ?? (long.MaxValue, long.MaxValue);
        var copied = RunOnRange(_moveCopy, from, through);
        var deleted = RunOnRange(_moveDelete, from, through);
        // Moved out, so starting the next slice at it, inclusive, is right; none: the move is over.
        _working = new Levels(_working.OldKeys + copied, _working.YoungKeys - deleted, to);
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
        _insertOld?.Dispose();
        _insertYoung?.Dispose();
        foreach (var statement in new[] { _probe, _countYoung, _sliceEnd, _moveCopy, _moveDelete })
        {
            statement?.Dispose();
        }
    }

    /// <summary>Runs a statement on the keys from <paramref name="from"/> through <paramref name="through"/>; the rows it changed.</summary>
    private int RunOnRange(PreparedStatement statement, (long UserKey, long EventKey) from, (long UserKey, long EventKey) through)
    {
        statement.Bind(1, from.UserKey);
        statement.Bind(2, from.EventKey);
        statement.Bind(3, through.UserKey);
        statement.Bind(4, through.EventKey);
        statement.Run();
        return raw.sqlite3_changes(_db);
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

    /// <summary>Keys into one level, <see cref="MultiRowInsert.Rows"/> to a statement and the rest one by one.</summary>
    private sealed class KeyRows : IDisposable
    {
        private const int Columns = 3;

        private readonly sqlite3 _db;
        private readonly MultiRowInsert _insert;

        public KeyRows(sqlite3 db, string table)
        {
            _db = db;
            _insert = new MultiRowInsert(db, $"INSERT OR IGNORE INTO {table} (user_key, event_key, seq)", Columns);
        }

        /// <summary>Returns how many were new to the level (a key merged again after a reload is not).</summary>
        public long Write(ReadOnlySpan<(long UserKey, long EventKey, long Seq)> keys)
        {
            var added = 0L;
            var i = 0;
            for (; i + MultiRowInsert.Rows <= keys.Length; i += MultiRowInsert.Rows)
            {
                added += Run(_insert.Many, keys.Slice(i, MultiRowInsert.Rows));
            }

            for (; i < keys.Length; i++)
            {
                added += Run(_insert.One, keys.Slice(i, 1));
            }

            return added;
        }

        public void Dispose() => _insert.Dispose();

        private int Run(PreparedStatement statement, ReadOnlySpan<(long UserKey, long EventKey, long Seq)> keys)
        {
            for (var r = 0; r < keys.Length; r++)
            {
                var (userKey, eventKey, seq) = keys[r];
                statement.Bind((r * Columns) + 1, userKey);
                statement.Bind((r * Columns) + 2, eventKey);
                statement.Bind((r * Columns) + 3, seq);
            }

            statement.Run();
            return raw.sqlite3_changes(_db);
        }
    }

    /// <summary>Keys in each level (new ones counted, keys merged again not), and the move under
    /// way: the next key it moves, inclusive; none when no move is.</summary>
    private readonly record struct Levels(long OldKeys, long YoungKeys, (long UserKey, long EventKey)? MoveFrom);
}
