using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using ProductOps.Domain;

namespace ProductOps.Storage;

/// <summary>
/// The embedded event log: one SQLite file per partition under DataDir/log, so partitions commit
/// in parallel. Seq is the rowid, assigned by the writer, so a stale second writer fails instead
/// of forking the log. Dedup and a user's catch-up share one compact integer index on
/// (user_key, event_key), 64-bit hashes of (tenant, user) and of the event id: far cheaper to
/// maintain than an index on the strings. A conflict is checked against the stored strings, and a
/// true hash collision moves the event to a salted key, so dedup stays exact.
/// </summary>
public sealed class SqliteEventLog : IEventLog, IDisposable
{
    private const string Columns = "seq, committed_at, tenant, user_id, event_id, name, feature, ts, value, session_id, properties";

    private readonly Func<string, int, long> _eventKey;
    private readonly string _folder;
    private readonly string _synchronous;
    private readonly ConcurrentDictionary<int, Lazy<PartitionWriter>> _writers = new();

    public SqliteEventLog(IOptions<StorageOptions> options)
        : this(options, EventKeys.EventKey)
    {
    }

    /// <summary>For tests: a weak <paramref name="eventKey"/> forces hash collisions.</summary>
    internal SqliteEventLog(IOptions<StorageOptions> options, Func<string, int, long> eventKey)
    {
        _eventKey = eventKey;
        _folder = Path.Combine(options.Value.DataDir, "log");
        _synchronous = options.Value.SqliteSynchronous;
        Directory.CreateDirectory(_folder);
    }

    public Task<long> GetHeadAsync(int partition, CancellationToken cancellationToken = default) =>
        Task.Run(() => Writer(partition).Head(), cancellationToken);

    public Task<AppendOutcome> AppendAsync(int partition, long head, IReadOnlyList<TrackedEvent> events, long committedAtMs, CancellationToken cancellationToken = default) =>
        Task.Run(() => Writer(partition).Append(partition, head, events, committedAtMs), cancellationToken);

    public Task<IReadOnlyList<LoggedEvent>> ReadAsync(int partition, long afterSeq, int max, CancellationToken cancellationToken = default) =>
        Task.Run<IReadOnlyList<LoggedEvent>>(() => Read(partition, $"SELECT {Columns} FROM events WHERE seq > $after ORDER BY seq LIMIT $max", command =>
        {
            command.Parameters.AddWithValue("$after", afterSeq);
            command.Parameters.AddWithValue("$max", max);
        }), cancellationToken);

    public Task<IReadOnlyList<LoggedEvent>> ReadUserAsync(int partition, string tenant, string userId, long afterSeq, CancellationToken cancellationToken = default) =>
        Task.Run<IReadOnlyList<LoggedEvent>>(() => Read(partition, $"SELECT {Columns} FROM events WHERE user_key = $key AND tenant = $tenant AND user_id = $user AND seq > $after ORDER BY seq", command =>
        {
            command.Parameters.AddWithValue("$key", EventKeys.UserKey(tenant, userId));
            command.Parameters.AddWithValue("$tenant", tenant);
            command.Parameters.AddWithValue("$user", userId);
            command.Parameters.AddWithValue("$after", afterSeq);
        }), cancellationToken);

    public void Dispose()
    {
        foreach (var writer in _writers.Values.Where(w => w.IsValueCreated))
        {
            writer.Value.Dispose();
        }

        _writers.Clear();
    }

    // Lazy: GetOrAdd may run its factory twice under a race; only one writer connection may exist.
    private PartitionWriter Writer(int partition) =>
        _writers.GetOrAdd(partition, p => new Lazy<PartitionWriter>(() => new PartitionWriter(SqliteDatabase.Open(PathOf(p), _synchronous), _eventKey))).Value;

    private string PathOf(int partition) => Path.Combine(_folder, $"partition-{partition:D4}.db");

    private List<LoggedEvent> Read(int partition, string sql, Action<SqliteCommand> bind)
    {
        Writer(partition); // creates the file and schema on first use
        using var connection = SqliteDatabase.Open(PathOf(partition), _synchronous);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        using var reader = command.ExecuteReader();
        var result = new List<LoggedEvent>();
        while (reader.Read())
        {
            var properties = reader.IsDBNull(10) ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(10));
            var e = new TrackedEvent(
                reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6),
                reader.GetInt64(7), reader.GetDouble(8), reader.GetString(9), properties);
            result.Add(new LoggedEvent(partition, reader.GetInt64(0), reader.GetInt64(1), e));
        }

        return result;
    }

    /// <summary>The one write connection of a partition file, with its prepared insert.</summary>
    private sealed class PartitionWriter : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly Func<string, int, long> _eventKey;
        private readonly Lock _gate = new();

        public PartitionWriter(SqliteConnection connection, Func<string, int, long> eventKey)
        {
            _connection = connection;
            _eventKey = eventKey;
            SqliteDatabase.Execute(connection, """
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
                CREATE UNIQUE INDEX IF NOT EXISTS events_dedup ON events (user_key, event_key);
                """);
        }

        public long Head()
        {
            lock (_gate)
            {
                return HeadIn(null);
            }
        }

        public AppendOutcome Append(int partition, long head, IReadOnlyList<TrackedEvent> events, long committedAtMs)
        {
            lock (_gate)
            {
                using var transaction = _connection.BeginTransaction(deferred: false);
                var actualHead = HeadIn(transaction);
                if (actualHead != head)
                {
                    throw new LogFencedException($"partition {partition}: head is {actualHead}, the writer expected {head}");
                }

                using var insert = _connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = $"""
                    INSERT INTO events (user_key, event_key, {Columns})
                    VALUES ($user_key, $event_key, $seq, $committed, $tenant, $user, $id, $name, $feature, $ts, $value, $session, $properties)
                    ON CONFLICT (user_key, event_key) DO NOTHING
                    """;
                var p = insert.Parameters;
                var userKey = p.Add("$user_key", SqliteType.Integer);
                var eventKey = p.Add("$event_key", SqliteType.Integer);
                var seqParameter = p.Add("$seq", SqliteType.Integer);
                p.AddWithValue("$committed", committedAtMs);
                var tenant = p.Add("$tenant", SqliteType.Text);
                var user = p.Add("$user", SqliteType.Text);
                var id = p.Add("$id", SqliteType.Text);
                var name = p.Add("$name", SqliteType.Text);
                var feature = p.Add("$feature", SqliteType.Text);
                var ts = p.Add("$ts", SqliteType.Integer);
                var value = p.Add("$value", SqliteType.Real);
                var session = p.Add("$session", SqliteType.Text);
                var properties = p.Add("$properties", SqliteType.Text);
                insert.Prepare();

                var logged = new List<LoggedEvent>(events.Count);
                var duplicate = new bool[events.Count];
                var seq = head;
                for (var i = 0; i < events.Count; i++)
                {
                    var e = events[i];
                    seqParameter.Value = seq + 1;
                    tenant.Value = e.Tenant;
                    user.Value = e.UserId;
                    id.Value = e.EventId;
                    name.Value = e.Name;
                    feature.Value = e.Feature;
                    ts.Value = e.TimestampMs;
                    value.Value = e.Value;
                    session.Value = e.SessionId;
                    properties.Value = e.Properties is { Count: > 0 } map ? JsonSerializer.Serialize(map) : DBNull.Value;
                    userKey.Value = EventKeys.UserKey(e.Tenant, e.UserId);
                    if (!Insert(insert, eventKey, e, (long)userKey.Value, transaction))
                    {
                        duplicate[i] = true;
                        continue;
                    }

                    seq++;
                    logged.Add(new LoggedEvent(partition, seq, committedAtMs, e));
                }

                transaction.Commit();
                return new AppendOutcome(logged, duplicate, seq);
            }
        }

        public void Dispose() => _connection.Dispose();

        /// <summary>Inserts the event under the first salted key that is free; false when the log
        /// already holds this very event under one of them.</summary>
        private bool Insert(SqliteCommand insert, SqliteParameter eventKey, TrackedEvent e, long userKey, SqliteTransaction transaction)
        {
            for (var salt = 0; ; salt++)
            {
                eventKey.Value = _eventKey(e.EventId, salt);
                if (insert.ExecuteNonQuery() == 1)
                {
                    return true;
                }

                if (Holds(userKey, (long)eventKey.Value, e, transaction))
                {
                    return false;
                }
            }
        }

        private bool Holds(long userKey, long eventKey, TrackedEvent e, SqliteTransaction transaction)
        {
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT tenant, user_id, event_id FROM events WHERE user_key = $user_key AND event_key = $event_key";
            command.Parameters.AddWithValue("$user_key", userKey);
            command.Parameters.AddWithValue("$event_key", eventKey);
            using var reader = command.ExecuteReader();
            return reader.Read() && reader.GetString(0) == e.Tenant && reader.GetString(1) == e.UserId && reader.GetString(2) == e.EventId;
        }

        private long HeadIn(SqliteTransaction? transaction)
        {
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM events";
            return (long)command.ExecuteScalar()!;
        }
    }
}
