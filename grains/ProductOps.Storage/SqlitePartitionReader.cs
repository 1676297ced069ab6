using System.Text.Json;
using Microsoft.Data.Sqlite;
using ProductOps.Domain;
using SQLitePCL;

namespace ProductOps.Storage;

/// <summary>
/// A read connection of a partition file with its queries prepared once. Readers are pooled by
/// <see cref="SqliteEventLog"/>: opening a connection (and setting its pragmas) per read was most
/// of what a new user grain's catch-up cost, and a burst of new users does thousands of them.
/// </summary>
internal sealed class SqlitePartitionReader : IDisposable
{
    private const string Columns = "seq, committed_at, tenant, user_id, event_id, name, feature, ts, value, session_id, properties";

    private readonly SqliteConnection _connection;
    private readonly PreparedStatement _range;
    private readonly PreparedStatement _user;

    public SqlitePartitionReader(SqliteConnection connection)
    {
        _connection = connection;
        var db = connection.Handle!;
        _range = new PreparedStatement(db, $"SELECT {Columns} FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2");
        _user = new PreparedStatement(db, $"SELECT {Columns} FROM events WHERE user_key = ?1 AND tenant = ?2 AND user_id = ?3 AND seq > ?4 ORDER BY seq");
    }

    public List<LoggedEvent> ReadRange(int partition, long afterSeq, int max)
    {
        raw.sqlite3_bind_int64(_range.Statement, 1, afterSeq);
        raw.sqlite3_bind_int64(_range.Statement, 2, max);
        return ReadAll(_range, partition);
    }

    public List<LoggedEvent> ReadUser(int partition, string tenant, string userId, long afterSeq)
    {
        raw.sqlite3_bind_int64(_user.Statement, 1, EventKeys.UserKey(tenant, userId));
        raw.sqlite3_bind_text16(_user.Statement, 2, tenant);
        raw.sqlite3_bind_text16(_user.Statement, 3, userId);
        raw.sqlite3_bind_int64(_user.Statement, 4, afterSeq);
        return ReadAll(_user, partition);
    }

    public void Dispose()
    {
        _range.Dispose();
        _user.Dispose();
        _connection.Dispose();
    }

    private static List<LoggedEvent> ReadAll(PreparedStatement query, int partition)
    {
        var result = new List<LoggedEvent>();
        var row = query.Statement;
        try
        {
            while (query.Step())
            {
                var properties = raw.sqlite3_column_type(row, 10) == raw.SQLITE_NULL
                    ? null
                    : JsonSerializer.Deserialize<Dictionary<string, string>>(raw.sqlite3_column_text(row, 10).utf8_to_string());
                var e = new TrackedEvent(
                    Text(row, 2), Text(row, 3), Text(row, 4), Text(row, 5), Text(row, 6),
                    raw.sqlite3_column_int64(row, 7), raw.sqlite3_column_double(row, 8), Text(row, 9), properties);
                result.Add(new LoggedEvent(partition, raw.sqlite3_column_int64(row, 0), raw.sqlite3_column_int64(row, 1), e));
            }
        }
        finally
        {
            raw.sqlite3_reset(row);
        }

        return result;
    }

    private static string Text(sqlite3_stmt row, int column) => raw.sqlite3_column_text(row, column).utf8_to_string();
}
