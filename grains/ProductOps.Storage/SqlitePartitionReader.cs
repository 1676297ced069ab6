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
    private const string Columns = "e.seq, e.committed_at, e.tenant, e.user_id, e.event_id, e.name, e.feature, e.ts, e.value, e.session_id, e.properties";

    private readonly SqliteConnection _connection;
    private readonly PreparedTransaction _snapshot;
    private readonly PreparedStatement _head;
    private readonly PreparedStatement _range;
    private readonly PreparedStatement _userIndexed;
    private readonly PreparedStatement _bySeq;
    private readonly PreparedStatement _userTail;

    public SqlitePartitionReader(SqliteConnection connection)
    {
        _connection = connection;
        var db = connection.Handle!;
        _snapshot = new PreparedTransaction(db, immediate: false);
        _head = new PreparedStatement(db, SqlitePartitionWriter.HeadQuery);
        _range = new PreparedStatement(db, $"SELECT {Columns} FROM events e WHERE e.seq > ?1 ORDER BY e.seq LIMIT ?2");
        _userIndexed = new PreparedStatement(db, $"""
            SELECT {Columns} FROM ({DedupIndex.UserSeqs}) d JOIN events e ON e.seq = d.seq
            WHERE d.seq > ?2 AND d.seq <= ?3 AND e.tenant = ?4 AND e.user_id = ?5
            """);
        _bySeq = new PreparedStatement(db, $"SELECT {Columns} FROM events e WHERE e.seq = ?1");
        _userTail = new PreparedStatement(db, $"SELECT {Columns} FROM events e WHERE e.seq > ?1 AND e.user_key = ?2 AND e.tenant = ?3 AND e.user_id = ?4 ORDER BY e.seq");
    }

    public List<LoggedEvent> ReadRange(int partition, long afterSeq, int max)
    {
        _range.Bind(1, afterSeq);
        _range.Bind(2, max);
        var result = new List<LoggedEvent>();
        ReadAll(_range, partition, result);
        return result;
    }

    /// <summary>
    /// One user's events above <paramref name="afterSeq"/>, in one snapshot of the file: those in
    /// the dedup index (up to its merged mark), the recent ones the writer's <paramref name="recent"/>
    /// view lists by seq, and any committed after that view was complete (by another writer, or
    /// since), found by scanning the file's newest rows. Returns the file's head with them.
    /// </summary>
    public (List<LoggedEvent> Events, long Head) ReadUser(int partition, string tenant, string userId, long afterSeq, RecentView recent)
    {
        var userKey = EventKeys.UserKey(tenant, userId);
        return _snapshot.Run(() =>
        {
            var head = ReadHead();
            var result = new List<LoggedEvent>();
            if (recent.MergedThrough > afterSeq)
            {
                _userIndexed.Bind(1, userKey);
                _userIndexed.Bind(2, afterSeq);
                _userIndexed.Bind(3, recent.MergedThrough);
                _userIndexed.Bind(4, tenant);
                _userIndexed.Bind(5, userId);
                ReadAll(_userIndexed, partition, result);
                result.Sort(static (a, b) => a.Seq.CompareTo(b.Seq)); // the index's two levels list keys, not seqs, in order
            }

            foreach (var seq in recent.Seqs)
            {
                _bySeq.Bind(1, seq);
                var before = result.Count;
                ReadAll(_bySeq, partition, result);
                if (result.Count > before && (result[^1].Event.Tenant != tenant || result[^1].Event.UserId != userId))
                {
                    result.RemoveAt(result.Count - 1); // another user under the same 64-bit key
                }
            }

            var after = Math.Max(afterSeq, recent.KnownHead);
            if (head > after)
            {
                _userTail.Bind(1, after);
                _userTail.Bind(2, userKey);
                _userTail.Bind(3, tenant);
                _userTail.Bind(4, userId);
                ReadAll(_userTail, partition, result);
            }

            return (result, head);
        });
    }

    public void Dispose()
    {
        _snapshot.Dispose();
        foreach (var statement in new[] { _head, _range, _userIndexed, _bySeq, _userTail })
        {
            statement.Dispose();
        }

        _connection.Dispose();
    }

    private long ReadHead() => _head.ReadInt64(none: 0);

    private static void ReadAll(PreparedStatement query, int partition, List<LoggedEvent> result)
    {
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
            query.Reset();
        }
    }

    private static string Text(sqlite3_stmt row, int column) => raw.sqlite3_column_text(row, column).utf8_to_string();
}
