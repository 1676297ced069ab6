using ProductOps.Processes;
using ProductOps.Storage;
using ProductOps.Storage.Postgres;
using ProductOps.Testing;

namespace ProductOps.Postgres.Tests;

/// <summary>The PostgreSQL event log keeps the contract of the embedded one.</summary>
public sealed class PostgresEventLogTests
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public async Task Append_NewAndDuplicateEvents_GapFreeSeqAndDuplicatesFlagged()
    {
        await using var db = await MigratedAsync("append");
        var log = new PostgresEventLog(db.DataSource);

        var first = await log.AppendAsync(3, 0, [SchemaMigrationTests.Event("a"), SchemaMigrationTests.Event("b"), SchemaMigrationTests.Event("a")], Now);
        var second = await log.AppendAsync(3, first.Head, [SchemaMigrationTests.Event("b"), SchemaMigrationTests.Event("c"), SchemaMigrationTests.Event("a", user: "u2")], Now);

        Assert.Equal([false, false, true], first.Duplicate);
        Assert.Equal(2, first.Head);
        Assert.Equal([true, false, false], second.Duplicate);
        Assert.Equal(4, second.Head);
        Assert.Equal(4, await log.GetHeadAsync(3));
        Assert.Equal(0, await log.GetHeadAsync(4));
        var all = await log.ReadAsync(3, 0, 100);
        Assert.Equal([1L, 2, 3, 4], all.Select(e => e.Seq));
        Assert.Equal(["a", "b", "c", "a"], all.Select(e => e.Event.EventId));
        Assert.Equal("v", all[0].Event.Properties!["k"]);
        Assert.Equal([3L, 4], (await log.ReadAsync(3, 2, 100)).Select(e => e.Seq));
        Assert.Equal([2L], (await log.ReadAsync(3, 1, 1)).Select(e => e.Seq));
        Assert.Equal(["b", "c"], (await log.ReadUserAsync(3, "t1", "u1", 1)).Select(e => e.Event.EventId));
    }

    /// <summary>A partition that activates with a backlog reads it right after its head: PostgreSQL
    /// going away in between must fail that read as it fails the head's, with the cause named
    /// (Npgsql's own exception cannot cross the wire to the caller) and no password in it.</summary>
    [Fact]
    public async Task Reads_ServerUnreachable_EventLogExceptionNamingTheCause()
    {
        var closedPort = LoopbackPorts.Free(1)[0];
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(
            $"Host=127.0.0.1;Port={closedPort};Username=productops;Password=unreachable-Secret-77;Database=productops;Timeout=5");
        var log = new PostgresEventLog(dataSource);

        var range = await Assert.ThrowsAsync<EventLogException>(() => log.ReadAsync(3, 0, 10));
        var user = await Assert.ThrowsAsync<EventLogException>(() => log.ReadUserAsync(3, "t1", "u1", 0));

        Assert.All([range, user], failure =>
        {
            Assert.Equal("PostgreSQL cannot be reached", failure.Cause);
            Assert.IsAssignableFrom<Npgsql.NpgsqlException>(failure.InnerException);
            Assert.DoesNotContain("unreachable-Secret-77", failure.ToString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Append_StaleHead_FencedAndNothingCommitted()
    {
        await using var db = await MigratedAsync("fence");
        var log = new PostgresEventLog(db.DataSource);
        await log.AppendAsync(0, 0, [SchemaMigrationTests.Event("a")], Now);

        await Assert.ThrowsAsync<LogFencedException>(() => log.AppendAsync(0, 0, [SchemaMigrationTests.Event("x")], Now));

        Assert.Equal(1, await log.GetHeadAsync(0));
        // The fenced commit's dedup key was rolled back with it: the event is still new.
        var retry = await log.AppendAsync(0, 1, [SchemaMigrationTests.Event("x")], Now);
        Assert.Equal([false], retry.Duplicate);
    }

    [Fact]
    public async Task Append_ConcurrentWritersSameHead_ExactlyOneWins()
    {
        await using var db = await MigratedAsync("race");
        var log = new PostgresEventLog(db.DataSource);
        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            try
            {
                await log.AppendAsync(1, 0, [SchemaMigrationTests.Event($"w{i}")], Now);
                return true;
            }
            catch (LogFencedException)
            {
                return false;
            }
        }));

        Assert.Single(attempts, won => won);
        Assert.Single(await log.ReadAsync(1, 0, 100));
    }

    [Fact]
    public async Task Maintenance_Retention_DropsOldDayPartitionsAndForgetsOldDedupKeys()
    {
        await using var db = await MigratedAsync("retention");
        var log = new PostgresEventLog(db.DataSource);
        var maintenance = new PostgresLogMaintenance(db.DataSource, SchemaMigrationTests.Options(db, retentionDays: 10));
        var now = DateTimeOffset.UtcNow;
        var old = now.AddDays(-20);
        await maintenance.EnsurePartitionAsync(DateOnly.FromDateTime(old.UtcDateTime));
        await log.AppendAsync(0, 0, [SchemaMigrationTests.Event("old")], Now);
        await BackdateAsync(db, "old", old); // its row in that day's partition, its key as old
        Assert.True(await maintenance.RunAsync());
        var recent = await log.AppendAsync(0, 1, [SchemaMigrationTests.Event("new")], now.ToUnixTimeMilliseconds());

        Assert.True(await maintenance.RunAsync());

        var partitions = await maintenance.ListPartitionsAsync();
        Assert.DoesNotContain(PostgresLogMaintenance.PartitionName(DateOnly.FromDateTime(old.UtcDateTime)), partitions);
        Assert.Contains(PostgresLogMaintenance.PartitionName(DateOnly.FromDateTime(now.UtcDateTime).AddDays(3)), partitions);
        Assert.Equal(["new"], (await log.ReadAsync(0, 0, 100)).Select(e => e.Event.EventId));
        Assert.Equal(2, await log.GetHeadAsync(0)); // the head outlives the dropped rows
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM event_log_default"));
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM event_dedup"));
        Assert.Equal([false], recent.Duplicate);
    }

    /// <summary>Commits of days that had no partition yet (a new database's first day, maintenance
    /// late) wait in the DEFAULT partition: retention deletes them by the same rule as it drops day
    /// partitions (a day older than RetentionDays goes, whole), and reads skip the seqs it took.</summary>
    [Fact]
    public async Task Maintenance_RetentionOverTheDefaultPartition_DeletesTheDaysPastItAndReadsSkipThem()
    {
        await using var db = await MigratedAsync("retention_default");
        var log = new PostgresEventLog(db.DataSource);
        var maintenance = new PostgresLogMaintenance(db.DataSource, SchemaMigrationTests.Options(db, retentionDays: 10));
        var first = await log.AppendAsync(0, 0, [SchemaMigrationTests.Event("gone"), SchemaMigrationTests.Event("gone", user: "u2"), SchemaMigrationTests.Event("kept")], Now);
        var recent = await log.AppendAsync(0, first.Head, [SchemaMigrationTests.Event("new", user: "u2")], Now);
        var oldestKept = new DateTimeOffset(DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-10).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        await BackdateAsync(db, "gone", oldestKept.AddMilliseconds(-1)); // the last moment of the newest day retention drops
        await BackdateAsync(db, "kept", oldestKept);

        Assert.True(await maintenance.RunAsync());

        Assert.Equal(2L, await db.ScalarAsync("SELECT count(*) FROM event_log_default"));
        Assert.Equal([(3L, "kept"), (4L, "new")], (await log.ReadAsync(0, 0, 100)).Select(e => (e.Seq, e.Event.EventId)));
        Assert.Equal(["kept"], (await log.ReadUserAsync(0, "t1", "u1", 0)).Select(e => e.Event.EventId));
        Assert.Equal(["new"], (await log.ReadUserAsync(0, "t1", "u2", 0)).Select(e => e.Event.EventId));
        Assert.Equal(4, await log.GetHeadAsync(0));
        var retry = await log.AppendAsync(0, recent.Head, [SchemaMigrationTests.Event("new", user: "u2")], Now);
        Assert.Equal([true], retry.Duplicate);
    }

    /// <summary>The window is measured by the database's clock, which the test cannot stop: "inside"
    /// is a minute short of it, "past" a millisecond beyond it.</summary>
    [Fact]
    public async Task Maintenance_RetryInsideAndJustPastTheDedupWindow_DuplicateInsideNewPast()
    {
        await using var db = await MigratedAsync("window");
        var log = new PostgresEventLog(db.DataSource);
        var maintenance = new PostgresLogMaintenance(db.DataSource, SchemaMigrationTests.Options(db));
        var head = (await log.AppendAsync(0, 0, [SchemaMigrationTests.Event("kept")], Now)).Head;
        var window = TimeSpan.FromDays(new PostgresOptions().DedupWindowDays);

        await AgeDedupKeysAsync(db, "kept", window - TimeSpan.FromMinutes(1));
        Assert.True(await maintenance.RunAsync());
        var inside = await log.AppendAsync(0, head, [SchemaMigrationTests.Event("kept")], Now);
        await AgeDedupKeysAsync(db, "kept", window + TimeSpan.FromMilliseconds(1));
        Assert.True(await maintenance.RunAsync());
        var past = await log.AppendAsync(0, inside.Head, [SchemaMigrationTests.Event("kept")], Now);

        Assert.Equal([true], inside.Duplicate);
        Assert.Equal([false], past.Duplicate);
        Assert.Equal(2, past.Head);
    }

    /// <summary>The silo that runs maintenance is not the one that committed, and their clocks
    /// disagree: the window is the database's, whoever prunes.</summary>
    [Fact]
    public async Task Maintenance_MaintainingSiloClockAhead_KeyYoungerThanTheWindowByTheDatabaseStaysADuplicate()
    {
        await using var db = await MigratedAsync("skew_ahead");
        var log = new PostgresEventLog(db.DataSource);
        var options = SchemaMigrationTests.Options(db);
        var maintenance = new PostgresLogMaintenance(db.DataSource, options);
        var head = (await log.AppendAsync(0, 0, [SchemaMigrationTests.Event("kept")], Now)).Head;
        await AgeDedupKeysAsync(db, "kept", TimeSpan.FromDays(new PostgresOptions().DedupWindowDays) - TimeSpan.FromHours(1));

        await PostgresLogMaintenanceTests.RunServiceOnceAsync(db, maintenance, options, TimeSpan.FromHours(2)); // its clock runs two hours ahead
        var retry = await log.AppendAsync(0, head, [SchemaMigrationTests.Event("kept")], Now);

        Assert.Equal([true], retry.Duplicate);
    }

    /// <summary>A committing silo whose clock runs behind does not shorten the window either: a key
    /// committed a moment ago by the database's clock is remembered, whatever the silo's said.</summary>
    [Fact]
    public async Task Maintenance_CommittingSiloClockBehind_KeyCommittedAMomentAgoStaysADuplicate()
    {
        await using var db = await MigratedAsync("skew_behind");
        var log = new PostgresEventLog(db.DataSource);
        var maintenance = new PostgresLogMaintenance(db.DataSource, SchemaMigrationTests.Options(db));
        var behind = DateTimeOffset.UtcNow.AddDays(-(new PostgresOptions().DedupWindowDays + 1)); // past the whole window
        var head = (await log.AppendAsync(0, 0, [SchemaMigrationTests.Event("kept")], behind.ToUnixTimeMilliseconds())).Head;

        Assert.True(await maintenance.RunAsync());
        var retry = await log.AppendAsync(0, head, [SchemaMigrationTests.Event("kept")], behind.ToUnixTimeMilliseconds());

        Assert.Equal([true], retry.Duplicate);
    }

    /// <summary>The committing silo's clock stamps nothing the log keeps: a row's commit time, which
    /// picks its day and so when retention takes it, is the database's, the one its dedup key
    /// carries. A silo whose clock runs behind must not commit an event that retention deletes at
    /// its next run.</summary>
    [Fact]
    public async Task Append_CommittingSiloClockBehindByMoreThanTheRetention_EventStampedByTheDatabaseAndKept()
    {
        await using var db = await MigratedAsync("stamp_behind");
        var log = new PostgresEventLog(db.DataSource);
        var maintenance = new PostgresLogMaintenance(db.DataSource, SchemaMigrationTests.Options(db, retentionDays: 10));
        var behind = DateTimeOffset.UtcNow.AddDays(-11);
        await log.AppendAsync(0, 0, [SchemaMigrationTests.Event("late")], behind.ToUnixTimeMilliseconds());

        Assert.True(await maintenance.RunAsync());

        Assert.Equal(["late"], (await log.ReadAsync(0, 0, 100)).Select(e => e.Event.EventId));
        Assert.Equal(true, await db.ScalarAsync("SELECT l.committed_at = d.committed_at FROM event_log l JOIN event_dedup d USING (tenant, user_id, event_id)"));
    }

    [Fact]
    public async Task Append_ConnectionTerminatedMidCommit_NothingCommittedAndTheNextAppendSucceeds()
    {
        await using var db = await MigratedAsync("terminated");
        var log = new PostgresEventLog(db.DataSource);
        var head = (await log.AppendAsync(2, 0, [SchemaMigrationTests.Event("a")], Now)).Head;

        // Hold the head row so the commit waits inside its transaction, then end its session, as a
        // server restart would.
        await using var holder = await db.DataSource.OpenConnectionAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockHead = new Npgsql.NpgsqlCommand("SELECT head FROM log_head WHERE log_partition = 2 FOR UPDATE", holder, hold))
        {
            await lockHead.ExecuteScalarAsync();
        }

        var append = log.AppendAsync(2, head, [SchemaMigrationTests.Event("b")], Now);
        await Polling.Until(async () => (long)(await db.ScalarAsync(
            $"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND {holder.ProcessID} = ANY (pg_blocking_pids(pid))"))! > 0,
            TimeSpan.FromSeconds(60), () => "the append never waited on the head row");
        await db.ScalarAsync($"""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND {holder.ProcessID} = ANY (pg_blocking_pids(pid))
            """);
        var failure = await Assert.ThrowsAsync<EventLogException>(() => append);
        Assert.IsAssignableFrom<Npgsql.NpgsqlException>(failure.InnerException);
        Assert.StartsWith("PostgreSQL ", failure.Cause, StringComparison.Ordinal); // what the caller is told
        await hold.RollbackAsync();

        Assert.Equal(head, await log.GetHeadAsync(2));
        var retry = await log.AppendAsync(2, head, [SchemaMigrationTests.Event("b")], Now);
        Assert.Equal([false], retry.Duplicate);
        Assert.Equal(["a", "b"], (await log.ReadAsync(2, 0, 100)).Select(e => e.Event.EventId));
    }

    /// <summary>Makes the event's dedup key <paramref name="age"/> old by the database's clock, as if
    /// committed that long ago.</summary>
    private static async Task AgeDedupKeysAsync(TestDatabase db, string eventId, TimeSpan age)
    {
        await using var command = db.DataSource.CreateCommand("UPDATE event_dedup SET committed_at = now() - @age WHERE event_id = @id");
        command.Parameters.AddWithValue("age", age);
        command.Parameters.AddWithValue("id", eventId);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    /// <summary>Makes the event committed at <paramref name="committedAt"/>: its row (which moves to
    /// that day's partition, or the DEFAULT one) and its dedup key, as the commit stamps both.</summary>
    private static async Task BackdateAsync(TestDatabase db, string eventId, DateTimeOffset committedAt)
    {
        await using var command = db.DataSource.CreateCommand("""
            UPDATE event_log SET committed_at = @at WHERE event_id = @id;
            UPDATE event_dedup SET committed_at = @at WHERE event_id = @id
            """);
        command.Parameters.AddWithValue("at", committedAt.UtcDateTime);
        command.Parameters.AddWithValue("id", eventId);
        Assert.True(await command.ExecuteNonQueryAsync() > 0);
    }

    private static async Task<TestDatabase> MigratedAsync(string prefix)
    {
        var db = await TestDatabase.CreateAsync(prefix);
        await new PostgresMigrator(db.DataSource).MigrateAsync();
        return db;
    }
}
