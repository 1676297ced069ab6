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
    private readonly ConcurrentDictionary<int, Lazy<SqlitePartitionWriter>> _writers = new();

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
    private SqlitePartitionWriter Writer(int partition) =>
        _writers.GetOrAdd(partition, p => new Lazy<SqlitePartitionWriter>(() => new SqlitePartitionWriter(SqliteDatabase.Open(PathOf(p), _synchronous), _eventKey))).Value;

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
}
