using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ProductOps.Storage.Postgres;

/// <summary>
/// Keeps the event log's day partitions ahead of the clock and applies retention: drops day
/// partitions older than RetentionDays (no rewrite) and forgets dedup keys older than the dedup
/// window. Safe to run from every silo: a transaction-scoped advisory lock lets one at a time in.
/// </summary>
public sealed class PostgresLogMaintenance(NpgsqlDataSource dataSource, IOptions<PostgresOptions> options, ILogger<PostgresLogMaintenance>? logger = null)
{
    // "po-maint" in ASCII; distinct from the migrator's lock.
    private const long AdvisoryLockKey = 0x706f2d6d61696e74;
    private const int DaysAhead = 3;

    private readonly ILogger _logger = logger ?? NullLogger<PostgresLogMaintenance>.Instance;

    /// <summary>The name of the day partition holding commits of <paramref name="day"/>.</summary>
    public static string PartitionName(DateOnly day) => "event_log_" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>Creates the day partitions for <paramref name="now"/>'s day and the next few, and
    /// applies retention as of <paramref name="now"/>. Returns false when another silo was at it.</summary>
    public async Task<bool> RunAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var gate = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@key)", connection, transaction))
        {
            gate.Parameters.AddWithValue("key", AdvisoryLockKey);
            if (!(bool)(await gate.ExecuteScalarAsync(cancellationToken))!)
            {
                return false;
            }
        }

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        for (var day = today; day <= today.AddDays(DaysAhead); day = day.AddDays(1))
        {
            await EnsurePartitionAsync(connection, transaction, day, cancellationToken);
        }

        var settings = options.Value;
        if (settings.RetentionDays > 0)
        {
            var oldestKept = today.AddDays(-settings.RetentionDays);
            foreach (var (name, day) in await DayPartitionsAsync(connection, transaction, cancellationToken))
            {
                if (day < oldestKept)
                {
                    await using var drop = new NpgsqlCommand($"DROP TABLE {name}", connection, transaction);
                    await drop.ExecuteNonQueryAsync(cancellationToken);
                    PostgresLog.PartitionDropped(_logger, name);
                }
            }
        }

        var cutoff = now - TimeSpan.FromDays(settings.DedupWindowDays);
        await using (var prune = new NpgsqlCommand("DELETE FROM event_dedup WHERE committed_at < @cutoff", connection, transaction))
        {
            prune.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
            var pruned = await prune.ExecuteNonQueryAsync(cancellationToken);
            if (pruned > 0)
            {
                PostgresLog.DedupPruned(_logger, pruned, cutoff);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Creates the partition for one day if it does not exist yet.</summary>
    public async Task EnsurePartitionAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await EnsurePartitionAsync(connection, transaction, day, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The day partitions that exist, oldest first.</summary>
    public async Task<IReadOnlyList<string>> ListPartitionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        return [.. (await DayPartitionsAsync(connection, transaction, cancellationToken)).Select(p => p.Name)];
    }

    private async Task EnsurePartitionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateOnly day, CancellationToken cancellationToken)
    {
        var name = PartitionName(day);
        var from = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await using var savepoint = new NpgsqlCommand("SAVEPOINT partition_ddl", connection, transaction);
        await savepoint.ExecuteNonQueryAsync(cancellationToken);
        try
        {
            await using var create = new NpgsqlCommand(
                $"CREATE TABLE IF NOT EXISTS {name} PARTITION OF event_log FOR VALUES FROM ('{from} 00:00:00+00') TO ('{to} 00:00:00+00')",
                connection, transaction);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation)
        {
            // Rows of that day already landed in the default partition; they stay there (still
            // read, dropped with the default partition's rows never by retention).
            await using var rollback = new NpgsqlCommand("ROLLBACK TO SAVEPOINT partition_ddl", connection, transaction);
            await rollback.ExecuteNonQueryAsync(cancellationToken);
            PostgresLog.PartitionNotCreated(_logger, e, name);
        }
    }

    private static async Task<List<(string Name, DateOnly Day)>> DayPartitionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT c.relname FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname = 'event_log'
            ORDER BY c.relname
            """, connection, transaction);
        var result = new List<(string, DateOnly)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            if (DateOnly.TryParseExact(name["event_log_".Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                result.Add((name, day));
            }
        }

        return result;
    }
}
