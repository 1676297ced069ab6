using System.Text.Json;
using Microsoft.Data.Sqlite;
using ProductOps.Domain;
using SQLitePCL;

namespace ProductOps.Storage;

/// <summary>
/// The one write connection of a partition file. Its statements are prepared once and reused by
/// every commit, with parameters bound by position through the native API: per-row binding by
/// name and re-preparing per commit were a third of the writer's time.
/// </summary>
internal sealed class SqlitePartitionWriter : IDisposable
{
    public const string Schema = """
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
        """;

    private readonly SqliteConnection _connection;
    private readonly Func<string, int, long> _eventKey;
    private readonly Lock _gate = new();
    private readonly PreparedTransaction _transaction;
    private readonly PreparedStatement _head;
    private readonly PreparedStatement _insert;
    private readonly PreparedStatement _holds;

    public SqlitePartitionWriter(SqliteConnection connection, Func<string, int, long> eventKey)
    {
        _connection = connection;
        _eventKey = eventKey;
        SqliteDatabase.Execute(connection, Schema);
        var db = connection.Handle!;
        _transaction = new PreparedTransaction(db);
        _head = new PreparedStatement(db, "SELECT COALESCE(MAX(seq), 0) FROM events");
        _insert = new PreparedStatement(db, """
            INSERT INTO events (user_key, event_key, seq, committed_at, tenant, user_id, event_id, name, feature, ts, value, session_id, properties)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
            ON CONFLICT (user_key, event_key) DO NOTHING
            """);
        _holds = new PreparedStatement(db, "SELECT tenant, user_id, event_id FROM events WHERE user_key = ?1 AND event_key = ?2");
    }

    public long Head()
    {
        lock (_gate)
        {
            return ReadHead();
        }
    }

    public AppendOutcome Append(int partition, long head, IReadOnlyList<TrackedEvent> events, long committedAtMs)
    {
        lock (_gate)
        {
            return _transaction.Run(() => Write(partition, head, events, committedAtMs));
        }
    }

    public void Dispose()
    {
        _transaction.Dispose();
        _head.Dispose();
        _insert.Dispose();
        _holds.Dispose();
        _connection.Dispose();
    }

    private AppendOutcome Write(int partition, long head, IReadOnlyList<TrackedEvent> events, long committedAtMs)
    {
        var actualHead = ReadHead();
        if (actualHead != head)
        {
            throw new LogFencedException($"partition {partition}: head is {actualHead}, the writer expected {head}");
        }

        var logged = new List<LoggedEvent>(events.Count);
        var duplicate = new bool[events.Count];
        var seq = head;
        var insert = _insert.Statement;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var userKey = EventKeys.UserKey(e.Tenant, e.UserId);
            raw.sqlite3_bind_int64(insert, 1, userKey);
            raw.sqlite3_bind_int64(insert, 3, seq + 1);
            raw.sqlite3_bind_int64(insert, 4, committedAtMs);
            BindText(insert, 5, e.Tenant);
            BindText(insert, 6, e.UserId);
            BindText(insert, 7, e.EventId);
            BindText(insert, 8, e.Name);
            BindText(insert, 9, e.Feature);
            raw.sqlite3_bind_int64(insert, 10, e.TimestampMs);
            raw.sqlite3_bind_double(insert, 11, e.Value);
            BindText(insert, 12, e.SessionId);
            if (e.Properties is { Count: > 0 } map)
            {
                BindText(insert, 13, JsonSerializer.Serialize(map));
            }
            else
            {
                raw.sqlite3_bind_null(insert, 13);
            }

            if (!Insert(e, userKey))
            {
                duplicate[i] = true;
                continue;
            }

            seq++;
            logged.Add(new LoggedEvent(partition, seq, committedAtMs, e));
        }

        return new AppendOutcome(logged, duplicate, seq);
    }

    /// <summary>Inserts the bound event under the first salted key that is free; false when the
    /// log already holds this very event under one of them.</summary>
    private bool Insert(TrackedEvent e, long userKey)
    {
        for (var salt = 0; ; salt++)
        {
            var eventKey = _eventKey(e.EventId, salt);
            raw.sqlite3_bind_int64(_insert.Statement, 2, eventKey);
            _insert.Run();
            if (raw.sqlite3_changes(_connection.Handle) == 1)
            {
                return true;
            }

            if (Holds(userKey, eventKey, e))
            {
                return false;
            }
        }
    }

    private bool Holds(long userKey, long eventKey, TrackedEvent e)
    {
        var holds = _holds.Statement;
        raw.sqlite3_bind_int64(holds, 1, userKey);
        raw.sqlite3_bind_int64(holds, 2, eventKey);
        try
        {
            return _holds.Step()
                && raw.sqlite3_column_text(holds, 0).utf8_to_string() == e.Tenant
                && raw.sqlite3_column_text(holds, 1).utf8_to_string() == e.UserId
                && raw.sqlite3_column_text(holds, 2).utf8_to_string() == e.EventId;
        }
        finally
        {
            raw.sqlite3_reset(holds);
        }
    }

    private long ReadHead()
    {
        try
        {
            _head.Step();
            return raw.sqlite3_column_int64(_head.Statement, 0);
        }
        finally
        {
            raw.sqlite3_reset(_head.Statement);
        }
    }

    // UTF-16 straight from the string: SQLite converts it, no managed UTF-8 copy per value.
    private static void BindText(sqlite3_stmt statement, int index, string value) =>
        raw.sqlite3_bind_text16(statement, index, value);
}
