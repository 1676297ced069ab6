using Microsoft.Data.Sqlite;
using ProductOps.Domain;
using SQLitePCL;

namespace ProductOps.Storage;

/// <summary>
/// The one write connection of a partition file. Its statements are prepared once and reused by
/// every commit, with parameters bound by position through the native API: per-row binding by
/// name and re-preparing per commit were a third of the writer's time.
/// </summary>
/// <remarks>
/// Dedup keys go to the on-disk index (<see cref="DedupIndex"/>) in sorted merges of
/// <see cref="StorageOptions.DedupMergeEvents"/> events, not one by one: an index keyed by
/// hashes takes each new key on a random page, so per-event inserts rewrote a 4 KiB page per
/// event (most of what the node wrote to disk, and a third of its CPU). A merge is written in
/// key order, a slice with each of the next commits, so no commit waits for a whole merge and
/// each index page is still written about once per merge. Until merged, the keys of recent
/// events are held in memory (<see cref="RecentEventKeys"/>) and rebuilt from the events table
/// (which stores each event's keys) whenever this writer opens the file or finds that another
/// writer committed since its own last commit.
/// <para>Every new event probes the index for its key unless the partition's
/// <see cref="DedupFilter"/> says the index cannot hold it. The filter is read in from the index
/// on a thread of its own whenever the writer (re)loads the file, and holds every key committed
/// since; until it is ready, and once it is past its cap, every key is probed.</para>
/// </remarks>
internal sealed class SqlitePartitionWriter : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS events (
            seq          INTEGER PRIMARY KEY,
            user_key     INTEGER NOT NULL,
            event_key    INTEGER NOT NULL,
            committed_at INTEGER NOT NULL,
            tenant       TEXT NOT NULL,
            user_id      TEXT NOT NULL,
            event_id     TEXT NOT NULL,
            name         TEXT NOT NULL,
            feature      TEXT NOT NULL,
            ts           INTEGER NOT NULL,
            value        REAL NOT NULL,
            session_id   TEXT NOT NULL,
            properties   TEXT NULL);
        CREATE TABLE IF NOT EXISTS log_meta (
            name  TEXT PRIMARY KEY,
            value INTEGER NOT NULL) WITHOUT ROWID;
        """;

    /// <summary>The partition's head: its highest seq, 0 when empty.</summary>
    public const string HeadQuery = "SELECT COALESCE(MAX(seq), 0) FROM events";

    // Files written before the dedup table kept a unique index on the events table instead.
    private const string LegacyIndex = "events_dedup";

    private readonly sqlite3 _db;
    private readonly Func<string, int, long> _eventKey;
    private readonly int _mergeEvents;
    private readonly DedupFilterSource? _filterSource;
    private readonly Lock _gate = new();
    private readonly PreparedTransaction _transaction;
    private readonly PreparedStatement _head;
    private readonly EventRows _rows;
    private readonly DedupIndex _index;
    private readonly PreparedStatement _identity;
    private readonly PreparedStatement _tail;
    private readonly PreparedStatement _mergedThrough;
    private readonly PreparedStatement _setMergedThrough;
    private readonly Dictionary<(long UserKey, long EventKey), int> _commitKeys = [];
    private readonly List<(long UserKey, long EventKey, long Seq)> _commitAdded = [];
    private PendingMerge? _merging;
    private DedupFilter? _filter; // holds every key in the file when set; null: probe every key
    private FilterBuild? _filterBuild;
    private bool _filterDue;
    private bool _disposed;

    /// <summary>Takes <paramref name="db"/> as its own connection (<see cref="SqliteDatabase.OpenForOneThread"/>) and disposes it.
    /// Without <paramref name="filterSource"/>, every new event probes the index.</summary>
    public SqlitePartitionWriter(sqlite3 db, Func<string, int, long> eventKey, int mergeEvents, DedupFilterSource? filterSource = null)
    {
        _db = db;
        _eventKey = eventKey;
        _mergeEvents = mergeEvents;
        _filterSource = filterSource;
        try
        {
            SqliteDatabase.Execute(db, Schema + DedupIndex.Schema);
            _transaction = new PreparedTransaction(db);
            _head = new PreparedStatement(db, HeadQuery);
            _rows = new EventRows(db);
            _index = new DedupIndex(db, mergeEvents);
            _identity = new PreparedStatement(db, "SELECT tenant, user_id, event_id FROM events WHERE seq = ?1");
            _tail = new PreparedStatement(db, "SELECT user_key, event_key, seq FROM events WHERE seq > ?1 ORDER BY seq");
            _mergedThrough = new PreparedStatement(db, "SELECT value FROM log_meta WHERE name = 'dedup_through'");
            _setMergedThrough = new PreparedStatement(db, """
                INSERT INTO log_meta (name, value) VALUES ('dedup_through', ?1)
                ON CONFLICT (name) DO UPDATE SET value = MAX(value, excluded.value)
                """);
            lock (_gate)
            {
                _transaction.Run(() =>
                {
                    MoveLegacyIndex();
                    Reload(ReadHead());
                    return 0;
                });
                StartFilterIfDue();
            }
        }
        catch
        {
            // Not left to the finalizer: the caller opens another connection when it tries again.
            Close();
            throw;
        }
    }

    /// <summary>The partition's recent dedup keys; readers take views of it.</summary>
    public RecentEventKeys Recent { get; } = new();

    /// <summary>Index probes made, for tests: what the filter saves.</summary>
    internal long IndexProbes { get; private set; }

    /// <summary>For tests: this connection's <c>PRAGMA cache_size</c> (negative: KiB, positive: pages).</summary>
    internal long PageCacheSize
    {
        get
        {
            lock (_gate)
            {
                ThrowIfDisposed();
                using var pragma = new PreparedStatement(_db, "PRAGMA cache_size");
                return pragma.ReadInt64(none: 0);
            }
        }
    }

    /// <summary>For tests: lets the file grow by at most <paramref name="pages"/> more pages
    /// (<c>PRAGMA max_page_count</c>), so a commit that needs more fails as on a full disk
    /// (SQLITE_FULL); null lifts the cap.</summary>
    internal void CapGrowth(int? pages)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var count = new PreparedStatement(_db, "PRAGMA page_count");
            var cap = pages is { } more ? count.ReadInt64(none: 0) + more : int.MaxValue - 1L;
            SqliteDatabase.Execute(_db, $"PRAGMA max_page_count = {cap}");
        }
    }

    /// <summary>For tests: whether the filter is ready.</summary>
    internal bool FilterReady
    {
        get
        {
            lock (_gate)
            {
                return _filter is not null;
            }
        }
    }

    /// <summary>For tests: the filter's reading of the index, while one is under way.</summary>
    internal Task? FilterReading
    {
        get
        {
            lock (_gate)
            {
                return _filterBuild?.Reading;
            }
        }
    }

    public long Head()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return ReadHead();
        }
    }

    public AppendOutcome Append(int partition, long head, IReadOnlyList<TrackedEvent> events, long committedAtMs)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            _commitAdded.Clear();
            if (_merging is null && Recent.Count >= _mergeEvents)
            {
                _merging = new PendingMerge(Recent.SortedByKey(), Recent.KnownHead);
            }

            try
            {
                PendingMerge? merging = null;
                AppendOutcome outcome;
                int merged;
                try
                {
                    (outcome, merged) = _transaction.Run(() =>
                    {
                        var written = Write(partition, head, events, committedAtMs);
                        merging = _merging; // after Write: a reload there drops a merge of stale keys
                        var merged = MergeSlice(merging);
                        _index.MoveSlice(SliceRows);
                        return (written, merged);
                    });
                }
                catch
                {
                    _index.RolledBack();
                    throw;
                }

                _index.Committed();
                Recent.AddCommitted(_commitAdded, outcome.Head);
                AddToFilter(_commitAdded);
                if (merging is not null)
                {
                    merging.Done = merged;
                    if (merged == merging.Keys.Length)
                    {
                        Recent.DropThrough(merging.Through);
                        _merging = null;
                    }
                }

                return outcome;
            }
            finally
            {
                StartFilterIfDue(); // after a reload in Write, committed or not
            }
        }
    }

    /// <summary>Reads the file again if another writer committed since this one last looked:
    /// readers call it when the recent keys fall far behind the file.</summary>
    public void Refresh()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            _transaction.Run(CatchUpWithFile);
            StartFilterIfDue();
        }
    }

    public void Dispose()
    {
        Task? reading;
        // All of it under the lock, and once: the connection has no mutex of its own, so a call
        // that got this writer before it closed must find it closed, not step freed statements.
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            reading = _filterBuild?.Reading;
            StopFilter();
            // Merged on a graceful close, so the next open has nothing to rebuild (the rebuild covers
            // a crash just as well). Not if another writer moved on: its keys are not all in memory.
            try
            {
                if (Recent.Count > 0 && ReadHead() == Recent.KnownHead)
                {
                    MergeAll();
                }
            }
            catch (SqliteException)
            {
                // Left to the next open's rebuild (disk full, say).
            }

            Close();
        }

        // Outside the lock, which the reading takes to hand its filter over; it stops within a
        // slice of rows, and its connection is closed when this returns.
        reading?.Wait();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Frees the statements prepared so far and the connection.</summary>
    private void Close()
    {
        _transaction?.Dispose();
        _index?.Dispose();
        _rows?.Dispose();
        foreach (var statement in new[] { _head, _identity, _tail, _mergedThrough, _setMergedThrough })
        {
            statement?.Dispose();
        }

        _db.Dispose();
    }

    private AppendOutcome Write(int partition, long head, IReadOnlyList<TrackedEvent> events, long committedAtMs)
    {
        var actualHead = CatchUpWithFile();
        if (actualHead != head)
        {
            throw new LogFencedException($"partition {partition}: head is {actualHead}, the writer expected {head}");
        }

        _commitKeys.Clear();
        _rows.Clear();
        var logged = new List<LoggedEvent>(events.Count);
        var duplicate = new bool[events.Count];
        var seq = head;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var userKey = EventKeys.UserKey(e.Tenant, e.UserId);
            if (FreeKey(events, i, userKey) is not { } eventKey)
            {
                duplicate[i] = true;
                continue;
            }

            seq++;
            _rows.Add(e, userKey, eventKey, seq, committedAtMs);
            _commitKeys[(userKey, eventKey)] = i;
            _commitAdded.Add((userKey, eventKey, seq));
            logged.Add(new LoggedEvent(partition, seq, committedAtMs, e));
        }

        _rows.Flush();

        return new AppendOutcome(logged, duplicate, seq);
    }

    /// <summary>The first salted key of event <paramref name="i"/> that is free; null when the
    /// log (or this commit) already holds this very event under one of them. A key held by
    /// another event is a hash collision: the event moves on to the next salt.</summary>
    private long? FreeKey(IReadOnlyList<TrackedEvent> events, int i, long userKey)
    {
        var e = events[i];
        for (var salt = 0; ; salt++)
        {
            var eventKey = _eventKey(e.EventId, salt);
            bool same;
            if (_commitKeys.TryGetValue((userKey, eventKey), out var earlier))
            {
                same = SameEvent(events[earlier], e);
            }
            else if (Recent.TryFind(userKey, eventKey, out var seq) || Probe(userKey, eventKey, out seq))
            {
                same = StoredIs(seq, e);
            }
            else
            {
                return eventKey;
            }

            if (same)
            {
                return null;
            }
        }
    }

    private static bool SameEvent(TrackedEvent a, TrackedEvent b) =>
        a.Tenant == b.Tenant && a.UserId == b.UserId && a.EventId == b.EventId;

    private bool Probe(long userKey, long eventKey, out long seq)
    {
        if (_filter?.MayContain(userKey, eventKey) == false)
        {
            seq = 0;
            return false;
        }

        IndexProbes++;
        seq = _index.Probe(userKey, eventKey);
        return seq != 0;
    }

    private bool StoredIs(long seq, TrackedEvent e)
    {
        _identity.Bind(1, seq);
        var identity = _identity.Statement;
        try
        {
            return _identity.Step()
                && raw.sqlite3_column_text(identity, 0).utf8_to_string() == e.Tenant
                && raw.sqlite3_column_text(identity, 1).utf8_to_string() == e.UserId
                && raw.sqlite3_column_text(identity, 2).utf8_to_string() == e.EventId;
        }
        finally
        {
            _identity.Reset();
        }
    }

    // Keys a commit merges (or moves between the index's levels): an eighth of a merge, and always
    // twice what the commit added, so a merge ends before the next one is due however large
    // commits are.
    private int SliceRows => Math.Max(Math.Max(1, _mergeEvents / 8), 2 * _commitAdded.Count);

    /// <summary>Writes the next slice of a pending merge (inside the commit's transaction); on
    /// its last slice, also the merged mark. Returns how many of its keys are then written.</summary>
    private int MergeSlice(PendingMerge? merging)
    {
        if (merging is null)
        {
            return 0;
        }

        var end = Math.Min(merging.Keys.Length, merging.Done + SliceRows);
        _index.Write(merging.Keys.Span[merging.Done..end]);
        if (end == merging.Keys.Length)
        {
            SetMergedThrough(merging.Through);
        }

        return end;
    }

    /// <summary>On a graceful close: every recent key in one go.</summary>
    private void MergeAll()
    {
        var keys = Recent.SortedByKey();
        var through = Recent.KnownHead;
        _transaction.Run(() =>
        {
            _index.Write(keys.Span);
            SetMergedThrough(through);
            return 0;
        });
        _index.Committed();
        Recent.DropThrough(through);
        _merging = null;
    }

    /// <summary>The file's head, after reading in the keys of whatever another writer committed
    /// since this one last looked (they are not in memory yet). Inside a transaction.</summary>
    private long CatchUpWithFile()
    {
        var head = ReadHead();
        if (head != Recent.KnownHead)
        {
            Reload(head);
        }

        return head;
    }

    /// <summary>Rebuilds the recent keys from the file: every event above the merged mark. Inside a transaction.</summary>
    private void Reload(long head)
    {
        StopFilter(); // it may lack what another writer committed
        _filterDue = true;
        var mergedThrough = ReadMergedThrough();
        _merging = null; // what it held may be stale; the next merge starts from the file's mark
        _index.Reload(mergedThrough);
        Recent.Reset(mergedThrough, mergedThrough);
        var added = new List<(long UserKey, long EventKey, long Seq)>();
        _tail.Bind(1, mergedThrough);
        try
        {
            while (_tail.Step())
            {
                added.Add((_tail.ColumnInt64(0), _tail.ColumnInt64(1), _tail.ColumnInt64(2)));
            }
        }
        finally
        {
            _tail.Reset();
        }

        Recent.AddCommitted(added, head);
    }

    /// <summary>A file of the earlier layout: its unique index becomes the dedup table, once. Inside a transaction.</summary>
    private void MoveLegacyIndex()
    {
        using (var exists = new PreparedStatement(_db, $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '{LegacyIndex}'"))
        {
            if (exists.ReadInt64(none: 0) == 0)
            {
                return;
            }
        }

        SqliteDatabase.Execute(_db, $"""
            INSERT OR IGNORE INTO dedup (user_key, event_key, seq) SELECT user_key, event_key, seq FROM events ORDER BY user_key, event_key;
            DROP INDEX {LegacyIndex};
            """);
        SetMergedThrough(ReadHead());
    }

    /// <summary>After a (re)load: a new filter, with room for twice the keys the file holds, read
    /// from the index on a thread of its own while commits go on probing every key. None if the
    /// file already holds more keys than the cap allows (it would fill up before it was read).
    /// Under the lock.</summary>
    private void StartFilterIfDue()
    {
        if (!_filterDue || _filterSource is null || _disposed)
        {
            return;
        }

        _filterDue = false;
        var keys = Recent.MergedThrough + Recent.Count;
        if (keys >= DedupFilter.KeysWithin(_filterSource.MaxBytes))
        {
            return;
        }

        var build = new FilterBuild(2 * keys);
        Recent.CopyKeysTo(build.Pending); // not in the index yet, and maybe not by the time it is read
        _filterBuild = build;
        build.Reading = Task.Factory.StartNew(() => ReadIndexInto(build), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>On the filter's own thread: reads the index in, then hands the filter over.</summary>
    private void ReadIndexInto(FilterBuild build)
    {
        var read = false;
        try
        {
            _filterSource!.ReadStarting?.Invoke();
            build.Filter = new DedupFilter(build.Keys, _filterSource.MaxBytes); // not on the commits' path
            read = ReadWholeIndex(build);
        }
        catch (Exception e) when (e is SqliteException or OutOfMemoryException)
        {
            // The writer goes on probing every key until it next (re)loads the file, which reads
            // the index again (a restart, at the latest).
        }
        finally
        {
            HandOver(build, read); // the build ends either way, so its pending keys stop growing
        }
    }

    /// <summary>Every key in the index, on a connection of its own; false if the build was
    /// stopped or its filter filled up first. A key merged after the reading passed it was
    /// committed after the reading began, or was recent then, so it is among the build's pending
    /// keys.</summary>
    private bool ReadWholeIndex(FilterBuild build)
    {
        var db = _filterSource!.OpenConnection();
        try
        {
            var filter = build.Filter!;
            return DedupIndex.ReadAll(db, filter.Add, () => build.Stopped || filter.Full) && !filter.Full;
        }
        finally
        {
            db.Dispose();
        }
    }

    /// <summary>The reading is over: if the whole index was read, the filter takes over with the
    /// keys committed meanwhile, unless the writer reloaded or closed since. Either way the build
    /// ends, so its pending keys do not grow for good.</summary>
    private void HandOver(FilterBuild build, bool read)
    {
        lock (_gate)
        {
            if (_filterBuild != build)
            {
                return;
            }

            _filterBuild = null;
            if (!read)
            {
                return;
            }

            var filter = build.Filter!;
            foreach (var (userKey, eventKey) in build.Pending)
            {
                filter.Add(userKey, eventKey);
            }

            _filter = filter.Full ? null : filter;
        }
    }

    /// <summary>A commit's keys: into the filter, or kept for it while it is being read.</summary>
    private void AddToFilter(List<(long UserKey, long EventKey, long Seq)> added)
    {
        if (_filter is { } filter)
        {
            foreach (var (userKey, eventKey, _) in added)
            {
                filter.Add(userKey, eventKey);
            }

            if (filter.Full)
            {
                _filter = null; // past its cap: every key is probed from now on
            }
        }
        else if (_filterBuild is { } build)
        {
            foreach (var (userKey, eventKey, _) in added)
            {
                build.Pending.Add((userKey, eventKey));
            }
        }
    }

    private void StopFilter()
    {
        _filter = null;
        if (_filterBuild is { } build)
        {
            build.Stopped = true;
            _filterBuild = null;
        }
    }

    private long ReadMergedThrough() => _mergedThrough.ReadInt64(none: 0);

    private void SetMergedThrough(long seq)
    {
        _setMergedThrough.Bind(1, seq);
        _setMergedThrough.Run();
    }

    private long ReadHead() => _head.ReadInt64(none: 0);

    /// <summary>A filter being read from the index, and the keys committed since it began (with
    /// those that were recent then), which it takes on when it is handed over.</summary>
    private sealed class FilterBuild(long keys)
    {
        /// <summary>Room to make the filter with.</summary>
        public long Keys { get; } = keys;

        /// <summary>Made and filled by the reading thread, and only then handed over.</summary>
        public DedupFilter? Filter { get; set; }

        public List<(long UserKey, long EventKey)> Pending { get; } = [];

        public Task Reading { get; set; } = Task.CompletedTask;

        public volatile bool Stopped;
    }

    /// <summary>A merge being written a slice per commit: the keys (sorted) of every event up to
    /// <see cref="Through"/>, and how many are written.</summary>
    private sealed class PendingMerge(ReadOnlyMemory<(long UserKey, long EventKey, long Seq)> keys, long through)
    {
        public ReadOnlyMemory<(long UserKey, long EventKey, long Seq)> Keys { get; } = keys;

        public long Through { get; } = through;

        public int Done { get; set; }
    }
}
