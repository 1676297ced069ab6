using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using ProductOps.Domain;

namespace ProductOps.Storage.Postgres;

/// <summary>
/// The event log on PostgreSQL, with the contract of the embedded log: per-partition gap-free seq
/// assigned by the writer, fenced by the partition's head row in the commit's transaction; dedup
/// on (tenant, user_id, event_id) over the dedup window; one transaction per group commit, with
/// the dedup keys inserted as arrays in one statement and the new rows written by binary COPY.
/// </summary>
/// <remarks>
/// A commit's rows and dedup keys carry one time, the database's: it picks the rows' day
/// partition, and maintenance counts retention and the dedup window by the same clock
/// (<see cref="PostgresLogMaintenance"/>). The writer's <c>committedAtMs</c> stamps nothing stored:
/// the events <see cref="AppendAsync"/> returns carry it, for the writer's own measures (dispatch
/// lag, gathering) against its own clock; reads return the stored time.
/// </remarks>
public sealed class PostgresEventLog(NpgsqlDataSource dataSource) : IEventLog
{
    private const string Columns = "seq, committed_at, tenant, user_id, event_id, name, feature, ts, value, session_id, properties";

    public Task<long> GetHeadAsync(int partition, CancellationToken cancellationToken = default) =>
        NamingTheCause(partition, () => ReadHeadAsync(partition, cancellationToken));

    public Task<AppendOutcome> AppendAsync(int partition, long head, IReadOnlyList<TrackedEvent> events, long committedAtMs, CancellationToken cancellationToken = default) =>
        NamingTheCause(partition, () => CommitAsync(partition, head, events, committedAtMs, cancellationToken));

    private async Task<long> ReadHeadAsync(int partition, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT head FROM log_head WHERE log_partition = @p");
        command.Parameters.AddWithValue("p", partition);
        return await command.ExecuteScalarAsync(cancellationToken) is long head ? head : 0;
    }

    private async Task<AppendOutcome> CommitAsync(int partition, long head, IReadOnlyList<TrackedEvent> events, long committedAtMs, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The fence: lock the head row; another writer that committed since this one read its head
        // has moved it, and a concurrent one waits here and then sees it moved.
        await using (var fence = new NpgsqlCommand("""
            INSERT INTO log_head (log_partition, head) VALUES (@p, 0) ON CONFLICT DO NOTHING;
            SELECT head FROM log_head WHERE log_partition = @p FOR UPDATE
            """, connection, transaction))
        {
            fence.Parameters.AddWithValue("p", partition);
            var actual = (long)(await fence.ExecuteScalarAsync(cancellationToken))!;
            if (actual != head)
            {
                throw new LogFencedException($"partition {partition}: head is {actual}, the writer expected {head}");
            }
        }

        var (fresh, stamp) = await InsertDedupKeysAsync(connection, transaction, events, cancellationToken);
        var logged = new List<LoggedEvent>(events.Count);
        var duplicate = new bool[events.Count];
        var seq = head;
        for (var i = 0; i < events.Count; i++)
        {
            // A key is new once: a second copy in the same batch is a duplicate of the first.
            if (!fresh.Remove(Key(events[i])))
            {
                duplicate[i] = true;
                continue;
            }

            seq++;
            logged.Add(new LoggedEvent(partition, seq, committedAtMs, events[i]));
        }

        if (logged.Count > 0)
        {
            await CopyRowsAsync(connection, logged, stamp, cancellationToken);
            await using var advance = new NpgsqlCommand("UPDATE log_head SET head = @head WHERE log_partition = @p", connection, transaction);
            advance.Parameters.AddWithValue("head", seq);
            advance.Parameters.AddWithValue("p", partition);
            await advance.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new AppendOutcome(logged, duplicate, seq);
    }

    public Task<IReadOnlyList<LoggedEvent>> ReadAsync(int partition, long afterSeq, int max, CancellationToken cancellationToken = default) =>
        ReadAsync(partition, $"SELECT {Columns} FROM event_log WHERE log_partition = @p AND seq > @after ORDER BY seq LIMIT @max", command =>
        {
            command.Parameters.AddWithValue("after", afterSeq);
            command.Parameters.AddWithValue("max", (long)max);
        }, cancellationToken);

    public Task<IReadOnlyList<LoggedEvent>> ReadUserAsync(int partition, string tenant, string userId, long afterSeq, CancellationToken cancellationToken = default) =>
        ReadAsync(partition, $"SELECT {Columns} FROM event_log WHERE tenant = @tenant AND user_id = @user AND seq > @after AND log_partition = @p ORDER BY seq", command =>
        {
            command.Parameters.AddWithValue("tenant", tenant);
            command.Parameters.AddWithValue("user", userId);
            command.Parameters.AddWithValue("after", afterSeq);
        }, cancellationToken);

    /// <summary>Npgsql's exceptions say what failed in its terms; the partition's caller and the
    /// operator need to know that PostgreSQL is away, full or refusing (the words carry no host
    /// and no password).</summary>
    private static async Task<T> NamingTheCause<T>(int partition, Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (NpgsqlException e)
        {
            var cause = CauseOf(e);
            throw new EventLogException($"event log on PostgreSQL, partition {partition}: {cause}", cause, e);
        }
    }

    private static string CauseOf(NpgsqlException e) => e switch
    {
        PostgresException { SqlState: PostgresErrorCodes.DiskFull } => "PostgreSQL's disk is full",
        PostgresException { SqlState: PostgresErrorCodes.TooManyConnections } => "PostgreSQL has no free connections",
        PostgresException p when p.SqlState.StartsWith("57P", StringComparison.Ordinal) => "PostgreSQL is shutting down or restarting",
        PostgresException p when p.SqlState.StartsWith("28", StringComparison.Ordinal) => "PostgreSQL refused the login",
        PostgresException p when p.SqlState.StartsWith("08", StringComparison.Ordinal) => "PostgreSQL cannot be reached",
        PostgresException p => $"PostgreSQL error {p.SqlState}",
        { InnerException: TimeoutException } => "PostgreSQL did not answer in time",
        _ => "PostgreSQL cannot be reached",
    };

    private static (string, string, string) Key(TrackedEvent e) => (e.Tenant, e.UserId, e.EventId);

    /// <summary>Inserts the batch's dedup keys in one statement; returns the keys that were new and
    /// the time they were stamped with, by the database's clock, which the commit's rows carry too.
    /// Maintenance measures the dedup window and retention by that clock: silos' clocks disagree,
    /// and a skew between the committing and the maintaining silo would shorten either by as much.</summary>
    private static async Task<(HashSet<(string, string, string)> Fresh, DateTime Stamp)> InsertDedupKeysAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<TrackedEvent> events, CancellationToken cancellationToken)
    {
        var tenants = new string[events.Count];
        var users = new string[events.Count];
        var ids = new string[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            (tenants[i], users[i], ids[i]) = Key(events[i]);
        }

        await using var command = new NpgsqlCommand("""
            INSERT INTO event_dedup (tenant, user_id, event_id, committed_at)
            SELECT t, u, e, statement_timestamp() FROM unnest(@tenants, @users, @ids) AS k(t, u, e)
            ON CONFLICT DO NOTHING
            RETURNING tenant, user_id, event_id, committed_at
            """, connection, transaction);
        command.Parameters.AddWithValue("tenants", tenants);
        command.Parameters.AddWithValue("users", users);
        command.Parameters.AddWithValue("ids", ids);
        var fresh = new HashSet<(string, string, string)>(events.Count);
        var stamp = default(DateTime); // one statement: one time for every key; none when nothing was new
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            fresh.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            stamp = reader.GetFieldValue<DateTime>(3);
        }

        return (fresh, stamp);
    }

    private static async Task CopyRowsAsync(NpgsqlConnection connection, List<LoggedEvent> rows, DateTime committedAt, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY event_log (log_partition, seq, committed_at, tenant, user_id, event_id, name, feature, ts, value, session_id, properties) FROM STDIN (FORMAT BINARY)",
            cancellationToken);
        foreach (var row in rows)
        {
            var e = row.Event;
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(row.Partition, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(row.Seq, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(committedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync(e.Tenant, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(e.UserId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(e.EventId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(e.Name, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(e.Feature, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(e.TimestampMs, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(e.Value, NpgsqlDbType.Double, cancellationToken);
            await copy.WriteAsync(e.SessionId, NpgsqlDbType.Text, cancellationToken);
            if (e.Properties is { Count: > 0 } properties)
            {
                await copy.WriteAsync(JsonSerializer.Serialize(properties), NpgsqlDbType.Jsonb, cancellationToken);
            }
            else
            {
                await copy.WriteNullAsync(cancellationToken);
            }
        }

        await copy.CompleteAsync(cancellationToken);
    }

    private Task<IReadOnlyList<LoggedEvent>> ReadAsync(int partition, string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken) =>
        NamingTheCause(partition, () => ReadRowsAsync(partition, sql, bind, cancellationToken));

    private async Task<IReadOnlyList<LoggedEvent>> ReadRowsAsync(int partition, string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("p", partition);
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<LoggedEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var properties = reader.IsDBNull(10) ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(10));
            var e = new TrackedEvent(
                reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6),
                reader.GetInt64(7), reader.GetDouble(8), reader.GetString(9), properties);
            var committedAtMs = new DateTimeOffset(reader.GetFieldValue<DateTime>(1)).ToUnixTimeMilliseconds();
            result.Add(new LoggedEvent(partition, reader.GetInt64(0), committedAtMs, e));
        }

        return result;
    }
}
