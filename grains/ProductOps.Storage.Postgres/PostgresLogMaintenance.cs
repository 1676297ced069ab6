using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ProductOps.Storage.Postgres;

/// <summary>
/// Keeps the event log's day partitions ahead of the clock and applies retention: drops day
/// partitions older than RetentionDays (no rewrite), deletes the DEFAULT partition's rows of those
/// days, and forgets dedup keys older than the dedup window. Safe to run from every silo: a session
/// advisory lock lets one at a time in.
/// </summary>
/// <remarks>
/// Appends and reads must never wait for the whole of a run. Each partition change is its own
/// short transaction that waits at most <see cref="DdlLockTimeout"/> for its locks (a DDL
/// statement waiting for a lock holds up every append and read queued behind it), a few tries,
/// and is otherwise left, with the run's other changes, to the next run; a day is created as a table of its own and then
/// attached, which locks <c>event_log</c> itself only in SHARE UPDATE EXCLUSIVE mode, and its DEFAULT
/// partition ACCESS EXCLUSIVE only for a catalog change, not for a scan, when the day is ahead
/// (<see cref="ExclusionName"/>; a day already begun, a new database's first, is scanned for). Dropping a
/// day still takes ACCESS EXCLUSIVE on <c>event_log</c> (DETACH ... CONCURRENTLY is refused while a
/// DEFAULT partition exists), but only for the drop. Expired dedup keys, and the DEFAULT
/// partition's rows past the retention, are deleted <see cref="PruneBatch"/> at a time, each batch
/// its own transaction.
/// </remarks>
public sealed class PostgresLogMaintenance(NpgsqlDataSource dataSource, IOptions<PostgresOptions> options, ILogger<PostgresLogMaintenance>? logger = null)
{
    /// <summary>Rows one delete transaction of a run takes at most (dedup keys, or rows of the
    /// DEFAULT partition).</summary>
    public const int PruneBatch = 10_000;

    // "po-maint" in ASCII; distinct from the migrator's lock.
    private const long AdvisoryLockKey = 0x706f2d6d61696e74;
    private const int DaysAhead = 3;
    private const int DdlAttempts = 3;
    private const string Prefix = "event_log_";

    /// <summary>A CHECK constraint on the DEFAULT partition that keeps out the day being attached.
    /// ATTACH PARTITION locks the DEFAULT partition ACCESS EXCLUSIVE, which every unpruned read of
    /// the log waits for, and scans all of it to prove that no row belongs to the new day, unless a
    /// valid constraint proves it. So the constraint is added NOT VALID (a catalog change), then
    /// validated under SHARE UPDATE EXCLUSIVE, which lets reads and commits go on during the scan,
    /// and dropped in the attach's own transaction. While it stands, a commit of that day would
    /// fail, so only days that begin later than <see cref="AheadMargin"/> from now are attached
    /// this way (<see cref="AttachScanningDefaultAsync"/> is the rest).</summary>
    private const string ExclusionName = "event_log_default_not_attaching";

    /// <summary>How far ahead a day must begin for its attach to use <see cref="ExclusionName"/>:
    /// runs are hourly and attach <see cref="DaysAhead"/> days ahead, so every day but a new
    /// database's first is attached days before it begins.</summary>
    private static readonly TimeSpan AheadMargin = TimeSpan.FromHours(1);

    /// <summary>The longest a partition change waits for its locks, per attempt.</summary>
    private static readonly TimeSpan DdlLockTimeout = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan DdlRetryPause = TimeSpan.FromMilliseconds(250);

    private readonly ILogger _logger = logger ?? NullLogger<PostgresLogMaintenance>.Instance;

    /// <summary>The name of the day partition holding commits of <paramref name="day"/>.</summary>
    public static string PartitionName(DateOnly day) => Prefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>Creates the day partitions for today and the next few, drops the days retention no
    /// longer keeps (and deletes the DEFAULT partition's rows of them), and forgets the dedup keys
    /// older than the window, all by the database's clock (<see cref="DatabaseNowAsync"/>).
    /// Returns false when another silo was at it. A partition change that could not get its locks
    /// in time is left to the next run.</summary>
    public async Task<bool> RunAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var gate = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection))
        {
            gate.Parameters.AddWithValue("key", AdvisoryLockKey);
            if (!(bool)(await gate.ExecuteScalarAsync(cancellationToken))!)
            {
                return false;
            }
        }

        try
        {
            var now = await DatabaseNowAsync(connection, cancellationToken);
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            var settings = options.Value;
            var tables = await DayTablesAsync(connection, cancellationToken);
            var changes = new List<Func<Task<bool>>>();
            for (var day = today; day <= today.AddDays(DaysAhead); day = day.AddDays(1))
            {
                var missing = day;
                if (!tables.Exists(t => t.Day == missing && t.Attached))
                {
                    changes.Add(() => CreatePartitionAsync(connection, missing, cancellationToken));
                }
            }

            var oldestKept = today.AddDays(-settings.RetentionDays);
            if (settings.RetentionDays > 0)
            {
                changes.AddRange(tables.Where(t => t.Day < oldestKept).Select(t => (Func<Task<bool>>)(() => DropAsync(connection, t, cancellationToken))));
            }

            foreach (var change in changes)
            {
                if (!await change())
                {
                    break; // the locks are busy: the rest would wait as long; all of it is the next run's
                }
            }

            if (settings.RetentionDays > 0)
            {
                await DeleteDefaultRowsBeforeAsync(connection, oldestKept, cancellationToken);
            }

            await PruneDedupKeysAsync(connection, now - TimeSpan.FromDays(settings.DedupWindowDays), cancellationToken);
        }
        finally
        {
            await UnlockAsync(connection);
        }

        return true;
    }

    /// <summary>Creates the partition for one day if it does not exist yet (or leaves it to a later
    /// run when it cannot get the locks in time).</summary>
    public async Task EnsurePartitionAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!(await DayTablesAsync(connection, cancellationToken)).Exists(t => t.Day == day && t.Attached))
        {
            _ = await CreatePartitionAsync(connection, day, cancellationToken);
        }
    }

    /// <summary>The day partitions that exist, oldest first.</summary>
    public async Task<IReadOnlyList<string>> ListPartitionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. (await DayTablesAsync(connection, cancellationToken)).Where(t => t.Attached).Select(t => t.Name)];
    }

    /// <summary>Creates the day's table on its own (no lock on <c>event_log</c> beyond reading its
    /// definition), then attaches it without scanning the DEFAULT partition under a lock (see
    /// <see cref="ExclusionName"/>). A table left unattached by an earlier run is attached now.
    /// False when a step could not get its locks.</summary>
    private async Task<bool> CreatePartitionAsync(NpgsqlConnection connection, DateOnly day, CancellationToken cancellationToken)
    {
        var name = PartitionName(day);
        await using (var create = new NpgsqlCommand(
            $"CREATE TABLE IF NOT EXISTS {name} (LIKE event_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)", connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var from = $"'{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} 00:00:00+00'";
        var to = $"'{day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} 00:00:00+00'";
        var (holds, ahead) = await DefaultHoldsAsync(connection, from, to, cancellationToken);
        if (holds)
        {
            await LeaveDayInDefaultAsync(connection, name, null, cancellationToken);
            return true;
        }

        if (!ahead)
        {
            return await AttachScanningDefaultAsync(connection, name, from, to, cancellationToken);
        }

        if (!await WithLockTimeoutAsync(connection, "create", name,
            $"ALTER TABLE event_log_default DROP CONSTRAINT IF EXISTS {ExclusionName}, ADD CONSTRAINT {ExclusionName} CHECK (committed_at < {from} OR committed_at >= {to}) NOT VALID",
            cancellationToken))
        {
            return false;
        }

        var attached = false;
        try
        {
            try
            {
                // SHARE UPDATE EXCLUSIVE on the DEFAULT partition: reads and commits go on during the
                // scan, and so it waits for its lock without a timeout (nothing queues behind it but DDL).
                await using var validate = new NpgsqlCommand($"ALTER TABLE event_log_default VALIDATE CONSTRAINT {ExclusionName}", connection);
                await validate.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation)
            {
                await LeaveDayInDefaultAsync(connection, name, e, cancellationToken); // a commit of that day came first
                return true;
            }

            attached = await WithLockTimeoutAsync(connection, "create", name,
                $"ALTER TABLE event_log ATTACH PARTITION {name} FOR VALUES FROM ({from}) TO ({to}); ALTER TABLE event_log_default DROP CONSTRAINT {ExclusionName}",
                cancellationToken);
            return attached;
        }
        finally
        {
            if (!attached)
            {
                await DropExclusionAsync(connection, name);
            }
        }
    }

    /// <summary>Whether the DEFAULT partition holds rows committed in [from, to) (a scan under
    /// ACCESS SHARE, which holds up nothing but DDL), and whether the day begins more than
    /// <see cref="AheadMargin"/> from now by the database's clock: only such a day may be kept out
    /// of the DEFAULT partition by a check while it is attached, since no commit can be of it yet
    /// (a check left behind by a failed attach would otherwise refuse a live day's commits until
    /// the next run).</summary>
    private static async Task<(bool Holds, bool Ahead)> DefaultHoldsAsync(NpgsqlConnection connection, string from, string to, CancellationToken cancellationToken)
    {
        await using var probe = new NpgsqlCommand(
            $"SELECT EXISTS (SELECT 1 FROM event_log_default WHERE committed_at >= {from} AND committed_at < {to}), {from}::timestamptz > now() + @margin",
            connection);
        probe.Parameters.AddWithValue("margin", AheadMargin);
        await using var reader = await probe.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetBoolean(0), reader.GetBoolean(1));
    }

    /// <summary>Attaches a day that has begun or is about to (today's, on a new database): PostgreSQL
    /// scans the DEFAULT partition under its ACCESS EXCLUSIVE lock, which holds up full-log reads for
    /// the scan's length; a check would instead refuse that day's commits while it stood. Rows of
    /// the day that landed in the DEFAULT partition first keep the day there.</summary>
    private async Task<bool> AttachScanningDefaultAsync(NpgsqlConnection connection, string name, string from, string to, CancellationToken cancellationToken)
    {
        try
        {
            return await WithLockTimeoutAsync(connection, "create", name,
                $"ALTER TABLE event_log ATTACH PARTITION {name} FOR VALUES FROM ({from}) TO ({to})", cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation)
        {
            await LeaveDayInDefaultAsync(connection, name, e, cancellationToken);
            return true;
        }
    }

    /// <summary>Rows of the day already landed in the DEFAULT partition: they stay there (still read,
    /// and deleted by retention row by row, <see cref="DeleteDefaultRowsBeforeAsync"/>), and the
    /// empty table goes.</summary>
    private async Task LeaveDayInDefaultAsync(NpgsqlConnection connection, string name, Exception? reason, CancellationToken cancellationToken)
    {
        await using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {name}", connection);
        await drop.ExecuteNonQueryAsync(cancellationToken);
        PostgresLog.PartitionNotCreated(_logger, reason, name);
    }

    /// <summary>Lifts the DEFAULT partition's check when the day was not attached: while it stands,
    /// a commit of that day (which the DEFAULT partition must take) fails. Left in place when its
    /// locks stay busy; the next run tries the day again and replaces it.</summary>
    private async Task DropExclusionAsync(NpgsqlConnection connection, string name)
    {
        try
        {
            _ = await WithLockTimeoutAsync(connection, "lift the default partition's check for", name,
                $"ALTER TABLE event_log_default DROP CONSTRAINT IF EXISTS {ExclusionName}", CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The connection broke (the run failed with it): the next run tries the day again and replaces the check.
        }
    }

    /// <summary>Drops a day's table; false when it could not get its locks.</summary>
    private async Task<bool> DropAsync(NpgsqlConnection connection, DayTable table, CancellationToken cancellationToken)
    {
        // Dropping a partition locks event_log ACCESS EXCLUSIVE; a table never attached locks nothing else.
        if (!await WithLockTimeoutAsync(connection, "drop", table.Name, $"DROP TABLE {table.Name}", cancellationToken))
        {
            return false;
        }

        if (table.Attached)
        {
            PostgresLog.PartitionDropped(_logger, table.Name);
        }

        return true;
    }

    /// <summary>Runs one DDL statement in a transaction of its own that waits at most
    /// <see cref="DdlLockTimeout"/> for its locks, a few times; false when it never got them.</summary>
    private async Task<bool> WithLockTimeoutAsync(NpgsqlConnection connection, string action, string partition, string sql, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            try
            {
                await using var command = new NpgsqlCommand(
                    $"SET LOCAL lock_timeout = '{(int)DdlLockTimeout.TotalMilliseconds}ms'; {sql}", connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return true;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                await transaction.RollbackAsync(cancellationToken);
                if (attempt == DdlAttempts)
                {
                    PostgresLog.PartitionLockBusy(_logger, action, partition, attempt, DdlLockTimeout);
                    return false;
                }
            }

            await Task.Delay(DdlRetryPause * attempt, cancellationToken);
        }
    }

    /// <summary>Now by the database's clock, which stamps every commit and dedup key
    /// (<see cref="PostgresEventLog"/>): what a run counts its days and the dedup window by. Not
    /// the maintaining silo's clock: silos' clocks disagree, and one a day ahead would drop a day
    /// early and create partitions for the wrong days, one hours ahead cut the window short.
    /// Tests let days pass by backdating commits, not by a clock of their own.</summary>
    private static async Task<DateTimeOffset> DatabaseNowAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT now()", connection);
        return (DateTime)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Deletes the keys committed before <paramref name="cutoff"/>, a bounded batch per
    /// transaction, so no transaction of the run grows with the backlog (days of keys after a
    /// downtime).</summary>
    private async Task PruneDedupKeysAsync(NpgsqlConnection connection, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        // The row addresses of one batch, found through the BRIN index on commit time. The outer
        // test on committed_at keeps a delete from touching anything but an expired key, whatever
        // happened to the address meanwhile.
        await using var prune = new NpgsqlCommand("""
            DELETE FROM event_dedup
            WHERE ctid = ANY (ARRAY(SELECT ctid FROM event_dedup WHERE committed_at < @cutoff LIMIT @batch))
              AND committed_at < @cutoff
            """, connection);
        var pruned = await DeleteInBatchesAsync(prune, cutoff, cancellationToken);
        if (pruned > 0)
        {
            PostgresLog.DedupPruned(_logger, pruned, cutoff);
        }
    }

    /// <summary>Retention for the days whose commits landed in the DEFAULT partition: deletes its
    /// rows committed before <paramref name="oldestKept"/> began, the very days whose partitions
    /// are dropped, oldest first, a bounded batch per transaction (days of rows after a late
    /// maintenance). Appends and reads never wait for it: a delete locks only its own rows, which
    /// nothing writes again. Reads skip the seqs it took, as they skip a dropped day's.</summary>
    private async Task DeleteDefaultRowsBeforeAsync(NpgsqlConnection connection, DateOnly oldestKept, CancellationToken cancellationToken)
    {
        var cutoff = new DateTimeOffset(oldestKept.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        // Through the index on the DEFAULT partition's commit time: a run with nothing to delete
        // reads a page or two, not the partition (ORDER BY keeps the planner on it for a backlog).
        await using var delete = new NpgsqlCommand("""
            DELETE FROM event_log_default
            WHERE ctid = ANY (ARRAY(SELECT ctid FROM event_log_default WHERE committed_at < @cutoff ORDER BY committed_at LIMIT @batch))
              AND committed_at < @cutoff
            """, connection);
        var deleted = await DeleteInBatchesAsync(delete, cutoff, cancellationToken);
        if (deleted > 0)
        {
            PostgresLog.DefaultRowsDeleted(_logger, deleted, cutoff);
        }
    }

    /// <summary>Runs a delete of at most <see cref="PruneBatch"/> rows committed before
    /// <paramref name="cutoff"/> (each run its own transaction) until one deletes fewer; returns
    /// how many it deleted.</summary>
    private static async Task<long> DeleteInBatchesAsync(NpgsqlCommand delete, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        delete.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
        delete.Parameters.AddWithValue("batch", PruneBatch);
        long total = 0;
        int deleted;
        do
        {
            deleted = await delete.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
        }
        while (deleted == PruneBatch);

        return total;
    }

    private static async Task UnlockAsync(NpgsqlConnection connection)
    {
        try
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", AdvisoryLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The connection broke: its session, and with it the lock, is gone already.
        }
    }

    /// <summary>The tables named for a day, attached to <c>event_log</c> or not (one whose attach
    /// could not get its locks), oldest first.</summary>
    private static async Task<List<DayTable>> DayTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT c.relname, EXISTS (
                SELECT 1 FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                WHERE i.inhrelid = c.oid AND p.relname = 'event_log')
            FROM pg_class c
            WHERE c.relkind = 'r' AND c.relnamespace = to_regnamespace(current_schema()) AND c.relname LIKE 'event\_log\_%'
            ORDER BY c.relname
            """, connection);
        var result = new List<DayTable>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            if (DateOnly.TryParseExact(name[Prefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                result.Add(new DayTable(name, day, reader.GetBoolean(1)));
            }
        }

        return result;
    }

    private sealed record DayTable(string Name, DateOnly Day, bool Attached);
}
