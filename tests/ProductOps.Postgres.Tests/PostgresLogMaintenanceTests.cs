using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using ProductOps.Storage.Postgres;
using ProductOps.Testing;

namespace ProductOps.Postgres.Tests;

/// <summary>Event log maintenance never makes appends wait for the whole of a run.</summary>
public sealed class PostgresLogMaintenanceTests
{
    private const int BacklogRows = 2_000_000;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>The longest a read in <see cref="ImpatientReaders"/> waits for a lock before it fails.</summary>
    private static readonly TimeSpan ReadLockPatience = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task RunAsync_AppendWhilePruningExpiredBacklog_AppendCommitsWhileBatchesAreLeft()
    {
        await using var db = await MigratedAsync("prune_append");
        var maintenance = new PostgresLogMaintenance(db.DataSource, SchemaMigrationTests.Options(db, retentionDays: 10));
        var log = new PostgresEventLog(db.DataSource);
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var oldDay = today.AddDays(-20);
        await maintenance.EnsurePartitionAsync(oldDay);
        await maintenance.EnsurePartitionAsync(today);
        var head = (await log.AppendAsync(0, 0, [SchemaMigrationTests.Event("before")], now.ToUnixTimeMilliseconds())).Head;
        // Several batches' worth of keys past the dedup window, as after a downtime.
        const long Expired = 3L * PostgresLogMaintenance.PruneBatch + 500;
        await db.ScalarAsync($"""
            INSERT INTO event_dedup (tenant, user_id, event_id, committed_at)
            SELECT 't1', 'old' || i, 'e' || i, now() - interval '10 days' FROM generate_series(1, {Expired}) i
            """);

        // The test holds the expired key stored last, so the prune stops at it, with batches
        // left, until the test lets go: a point in the middle of the prune the test controls.
        await using var holder = await db.DataSource.OpenConnectionAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand(
            "SELECT 1 FROM event_dedup WHERE committed_at < now() - interval '7 days' ORDER BY ctid DESC LIMIT 1 FOR UPDATE", holder, hold))
        {
            await lockRow.ExecuteScalarAsync();
        }

        var holderPid = holder.ProcessID;
        var run = maintenance.RunAsync();
        Task<ProductOps.Storage.AppendOutcome>? append = null;
        try
        {
            await Polling.Until(() => BlockedByAsync(db, holderPid), Patience, () => $"maintenance never reached the held key (run completed: {run.IsCompleted})");

            append = log.AppendAsync(0, head, [SchemaMigrationTests.Event("during")], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await Polling.Until(async () => append.IsCompleted || await WaitingOnTableLockAsync(db), Patience, () => "the append neither committed nor waited on a lock");

            Assert.True(append.IsCompletedSuccessfully, "the append waited for a lock maintenance holds on the event log");
            Assert.False(run.IsCompleted);
            var left = (long)(await db.ScalarAsync("SELECT count(*) FROM event_dedup WHERE committed_at < now() - interval '7 days'"))!;
            Assert.InRange(left, 1, Expired - PostgresLogMaintenance.PruneBatch); // earlier batches committed, later ones left
        }
        finally
        {
            await hold.RollbackAsync();
        }

        Assert.True(await run);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM event_dedup WHERE committed_at < now() - interval '7 days'"));
        var partitions = await maintenance.ListPartitionsAsync();
        Assert.Equal(Enumerable.Range(0, 4).Select(d => PostgresLogMaintenance.PartitionName(today.AddDays(d))), partitions);
        Assert.Equal(["before", "during"], (await log.ReadAsync(0, 0, 100)).Select(e => e.Event.EventId));
        var resent = await log.AppendAsync(0, head + 1, [SchemaMigrationTests.Event("during")], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Equal([true], resent.Duplicate); // its key outlived the prune
    }

    [Fact]
    public async Task RunAsync_EventLogLockedByALongRead_PrunesAndLeavesPartitionChangesToTheNextRun()
    {
        await using var db = await MigratedAsync("ddl_busy");
        var maintenance = new PostgresLogMaintenance(db.DataSource, SchemaMigrationTests.Options(db, retentionDays: 10));
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var oldDay = today.AddDays(-20);
        await maintenance.EnsurePartitionAsync(oldDay);
        await db.ScalarAsync("INSERT INTO event_dedup VALUES ('t1', 'u1', 'old', now() - interval '10 days')");

        // A read of the whole log that stays open (a transaction reading every partition).
        await using (var reader = await db.DataSource.OpenConnectionAsync())
        {
            await using var read = await reader.BeginTransactionAsync();
            await using (var scan = new NpgsqlCommand("SELECT count(*) FROM event_log", reader, read))
            {
                await scan.ExecuteScalarAsync();
            }

            Assert.True(await maintenance.RunAsync());

            Assert.Equal([PostgresLogMaintenance.PartitionName(oldDay)], await maintenance.ListPartitionsAsync());
            Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM event_dedup"));
        }

        Assert.True(await maintenance.RunAsync());

        Assert.Equal(Enumerable.Range(0, 4).Select(d => PostgresLogMaintenance.PartitionName(today.AddDays(d))), await maintenance.ListPartitionsAsync());
        var log = new PostgresEventLog(db.DataSource);
        await log.AppendAsync(0, 0, [SchemaMigrationTests.Event("a")], now.ToUnixTimeMilliseconds());
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM event_log_default"));
        Assert.Equal(1L, await db.ScalarAsync($"SELECT count(*) FROM {PostgresLogMaintenance.PartitionName(today)}"));
    }

    /// <summary>Retention deletes the DEFAULT partition's rows of days past it (days of commits
    /// after a late maintenance or a downtime) a bounded batch per transaction, so appends and reads
    /// of the log go on while it works, and no transaction of the run grows with the backlog.</summary>
    [Fact]
    public async Task RunAsync_DefaultPartitionHoldsExpiredBacklog_DeletesItABatchPerTransactionWhileAppendsGoOn()
    {
        await using var db = await MigratedAsync("default_retention");
        var maintenance = new PostgresLogMaintenance(db.DataSource, SchemaMigrationTests.Options(db, retentionDays: 10));
        var log = new PostgresEventLog(db.DataSource);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        for (var day = 0; day <= 3; day++)
        {
            await maintenance.EnsurePartitionAsync(today.AddDays(day)); // the run has no partition to change, only rows to delete
        }

        const long Expired = 3L * PostgresLogMaintenance.PruneBatch + 500;
        await db.ScalarAsync($"""
            INSERT INTO event_log
            SELECT 0, i, now() - interval '20 days' + i * interval '1 ms', 't1', 'u' || (i % 100), 'old' || i, 'feature_used', 'search', 0, 1, 's1', NULL
            FROM generate_series(1, {Expired}) i;
            INSERT INTO log_head VALUES (0, {Expired})
            """);
        const string ExpiredRows = "SELECT count(*) FROM event_log_default WHERE committed_at < now() - interval '11 days'";

        // The test holds the expired row stored last, so the deletion stops at it, with batches
        // left, until the test lets go: a point in the middle of the run the test controls.
        await using var holder = await db.DataSource.OpenConnectionAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM event_log_default ORDER BY ctid DESC LIMIT 1 FOR UPDATE", holder, hold))
        {
            await lockRow.ExecuteScalarAsync();
        }

        var holderPid = holder.ProcessID;
        var run = maintenance.RunAsync();
        try
        {
            await Polling.Until(async () => run.IsCompleted || await BlockedByAsync(db, holderPid), Patience, () => "maintenance neither ended nor reached the held row");
            Assert.False(run.IsCompleted, "the run ended without deleting the DEFAULT partition's expired rows");

            var append = await log.AppendAsync(0, Expired, [SchemaMigrationTests.Event("during")], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            Assert.Equal(Expired + 1, append.Head);
            Assert.Equal(100, (await log.ReadAsync(0, 0, 100)).Count);
            var left = (long)(await db.ScalarAsync(ExpiredRows))!;
            Assert.InRange(left, 1, Expired - PostgresLogMaintenance.PruneBatch); // earlier batches committed, later ones left
            Assert.False(run.IsCompleted);
        }
        finally
        {
            await hold.RollbackAsync();
        }

        Assert.True(await run);
        Assert.Equal(0L, await db.ScalarAsync(ExpiredRows));
        Assert.Equal([(Expired + 1, "during")], (await log.ReadAsync(0, 0, 100)).Select(e => (e.Seq, e.Event.EventId)));
    }

    /// <summary>Silos' clocks disagree, and any silo may run maintenance: the days it creates and
    /// drops are the database's, whatever the maintaining silo's clock says.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task MaintenanceService_SiloClockADayOff_CreatesAndDropsTheDatabasesDays(int siloClockDaysAhead)
    {
        await using var db = await MigratedAsync($"silo_clock_{siloClockDaysAhead + 1}");
        var options = SchemaMigrationTests.Options(db, retentionDays: 10);
        var maintenance = new PostgresLogMaintenance(db.DataSource, options);
        var today = DateOnly.FromDateTime(DateTime.UtcNow); // the database's day: its server runs on this machine
        var oldestKept = today.AddDays(-10);
        await maintenance.EnsurePartitionAsync(oldestKept.AddDays(-1));
        await maintenance.EnsurePartitionAsync(oldestKept);

        await RunServiceOnceAsync(db, maintenance, options, TimeSpan.FromDays(siloClockDaysAhead));

        Assert.Equal(
            new[] { oldestKept }.Concat(Enumerable.Range(0, 4).Select(d => today.AddDays(d))).Select(PostgresLogMaintenance.PartitionName),
            await maintenance.ListPartitionsAsync());
    }

    /// <summary>Runs the maintenance service of a silo whose clock is <paramref name="siloClockAhead"/>
    /// ahead of the database's for one run (its first starts at once), then stops it. A run ends
    /// by forgetting expired dedup keys: a key committed a year ago marks its end.</summary>
    internal static async Task RunServiceOnceAsync(TestDatabase db, PostgresLogMaintenance maintenance, IOptions<PostgresOptions> options, TimeSpan siloClockAhead)
    {
        await db.ScalarAsync("INSERT INTO event_dedup VALUES ('run', 'run', 'ended', now() - interval '1 year')");
        using var service = new PostgresMaintenanceService(maintenance, options, new SkewedClock(siloClockAhead), NullLogger<PostgresMaintenanceService>.Instance);
        await service.StartAsync(CancellationToken.None);
        await Polling.Until(async () => (long)(await db.ScalarAsync("SELECT count(*) FROM event_dedup WHERE tenant = 'run'"))! == 0, Patience, () => "the maintenance run never ended");
        await service.StopAsync(CancellationToken.None);
    }

    /// <summary>Commits of days maintenance had made no partition for wait in the DEFAULT partition.
    /// Attaching a later day must not hold readers of the whole log (dispatch, catch-ups, training)
    /// while PostgreSQL scans all of them to prove none belongs to that day: at 2M rows that scan
    /// took ~150 ms here, far more than a read may wait for a lock (<see cref="ReadLockPatience"/>),
    /// against ~1.3 ms for a catalog change.</summary>
    [Fact]
    public async Task EnsurePartitionAsync_DefaultPartitionHoldsABacklog_FullLogReadsNeverWaitForTheScan()
    {
        await using var db = await MigratedAsync("attach_scan");
        var maintenance = new PostgresLogMaintenance(db.DataSource, SchemaMigrationTests.Options(db));
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await db.ScalarAsync($"""
            INSERT INTO event_log
            SELECT 0, i, now() - interval '2 days' + i * interval '1 ms', 't1', 'u1', 'e' || i, 'feature_used', 'search', 0, 1, 's1', NULL
            FROM generate_series(1, {BacklogRows}) i
            """);
        await using var readers = ImpatientReaders(db);
        var reader = new PostgresEventLog(readers);
        var day = today.AddDays(3); // the day a run creates next
        Assert.Equal(100, (await reader.ReadAsync(0, 0, 100)).Count); // connected: from here on a read waits only for locks

        var attach = maintenance.EnsurePartitionAsync(day);
        var reads = 0;
        while (!attach.IsCompleted)
        {
            try
            {
                Assert.Equal(100, (await reader.ReadAsync(0, 0, 100)).Count);
            }
            catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.LockNotAvailable)
            {
                Assert.Fail($"a full-log read waited over {ReadLockPatience.TotalMilliseconds} ms for a lock the attach held (after {reads} reads)");
            }

            reads++;
        }

        await attach;
        Assert.Contains(PostgresLogMaintenance.PartitionName(day), await maintenance.ListPartitionsAsync());
        Assert.Equal((long)BacklogRows, await db.ScalarAsync("SELECT count(*) FROM event_log_default"));
        Assert.Equal(0L, await DefaultPartitionChecksAsync(db));
    }

    /// <summary>Connections to the test database whose statements fail rather than wait longer than
    /// <see cref="ReadLockPatience"/> for a lock.</summary>
    private static NpgsqlDataSource ImpatientReaders(TestDatabase db) =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(db.ConnectionString)
        {
            Options = $"-c lock_timeout={(int)ReadLockPatience.TotalMilliseconds}",
        }.ConnectionString);

    /// <summary>A day whose commits already went to the DEFAULT partition (maintenance was late)
    /// stays there: no partition for it, and nothing left behind that would refuse its next commits.</summary>
    [Fact]
    public async Task EnsurePartitionAsync_ThatDaysCommitsInTheDefaultPartition_DayStaysThereAndItsCommitsGoOn()
    {
        await using var db = await MigratedAsync("day_in_default");
        var maintenance = new PostgresLogMaintenance(db.DataSource, SchemaMigrationTests.Options(db));
        var log = new PostgresEventLog(db.DataSource);
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var head = (await log.AppendAsync(0, 0, [SchemaMigrationTests.Event("early")], now.ToUnixTimeMilliseconds())).Head;

        await maintenance.EnsurePartitionAsync(today);
        var later = await log.AppendAsync(0, head, [SchemaMigrationTests.Event("later")], now.ToUnixTimeMilliseconds());

        Assert.DoesNotContain(PostgresLogMaintenance.PartitionName(today), await maintenance.ListPartitionsAsync());
        Assert.Equal([false], later.Duplicate);
        Assert.Equal(2L, await db.ScalarAsync("SELECT count(*) FROM event_log_default"));
        Assert.Equal(0L, await DefaultPartitionChecksAsync(db));
        Assert.Equal(["early", "later"], (await log.ReadAsync(0, 0, 100)).Select(e => e.Event.EventId));
    }

    /// <summary>The check that keeps a day out of the DEFAULT partition while it is attached would
    /// refuse that day's commits while it stood: a day already begun never gets one, a day ahead
    /// does. The test holds the day's new table, so the attach waits for its locks (three tries),
    /// long enough to see whether a check stands meanwhile.</summary>
    [Theory]
    [InlineData(0, false)]
    [InlineData(3, true)]
    public async Task EnsurePartitionAsync_AttachWaits_OnlyADayAheadIsKeptOutOfTheDefaultPartitionMeanwhile(int daysFromToday, bool checkExpected)
    {
        await using var db = await MigratedAsync($"attach_check_{daysFromToday}");
        var maintenance = new PostgresLogMaintenance(db.DataSource, SchemaMigrationTests.Options(db));
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(daysFromToday);
        var name = PostgresLogMaintenance.PartitionName(day);
        await db.ScalarAsync($"CREATE TABLE {name} (LIKE event_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)");
        await using var holder = await db.DataSource.OpenConnectionAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand($"LOCK TABLE {name} IN ACCESS SHARE MODE", holder, hold))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var attach = maintenance.EnsurePartitionAsync(day);
        var checkSeen = false;
        while (!attach.IsCompleted)
        {
            checkSeen |= await DefaultPartitionChecksAsync(db) > 0;
        }

        await attach;
        Assert.Equal(checkExpected, checkSeen);
        Assert.DoesNotContain(name, await maintenance.ListPartitionsAsync()); // its locks stayed busy
        Assert.Equal(0L, await DefaultPartitionChecksAsync(db)); // lifted when the attach gave up
    }

    private static async Task<long> DefaultPartitionChecksAsync(TestDatabase db) =>
        (long)(await db.ScalarAsync("SELECT count(*) FROM pg_constraint WHERE conrelid = 'event_log_default'::regclass AND contype = 'c'"))!;

    /// <summary>Whether a session of the test database waits for a lock the holder's session has.</summary>
    private static async Task<bool> BlockedByAsync(TestDatabase db, int holderPid)
    {
        await using var command = db.DataSource.CreateCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND @holder = ANY (pg_blocking_pids(pid))");
        command.Parameters.AddWithValue("holder", holderPid);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    /// <summary>Whether a session of the test database waits for a table's lock.</summary>
    private static async Task<bool> WaitingOnTableLockAsync(TestDatabase db) =>
        (long)(await db.ScalarAsync(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'relation'"))! > 0;

    /// <summary>A silo's clock, off the machine's (and the database's) by a fixed amount.</summary>
    private sealed class SkewedClock(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + ahead;
    }

    private static async Task<TestDatabase> MigratedAsync(string prefix)
    {
        var db = await TestDatabase.CreateAsync(prefix);
        await new PostgresMigrator(db.DataSource).MigrateAsync();
        return db;
    }
}
