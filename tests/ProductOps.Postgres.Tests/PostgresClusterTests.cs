using System.Diagnostics;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage.Postgres;
using ProductOps.Testing;
using ProductOps.Testing.Cluster;
using Xunit.Abstractions;

namespace ProductOps.Postgres.Tests;

/// <summary>
/// TestingHost silos on PostgreSQL membership, grain state and event log: kills, scale-out,
/// graceful stops and a full restart mid-stream; every aggregate still equals the oracle.
/// </summary>
public sealed class PostgresClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Append_KillAddAndStopSilosMidStream_AggregatesMatchOracle()
    {
        await using var db = await TestDatabase.CreateAsync("cluster");
        var cluster = await PostgresClusterFactory.StartAsync(db.ConnectionString, silos: 3);
        try
        {
            var driver = new PipelineDriver(() => cluster.Client, new PostgresEventLog(db.DataSource), PostgresClusterFactory.Partitions);
            var events = EventStreamGenerator.Generate(seed: 31, firstDay: 20_000, users: 250, days: 45);
            var batches = (events.Count + 99) / 100;
            var step = 0;

            var clock = Stopwatch.StartNew();
            var retries = await driver.SendAllAsync(events, batchSize: 100, concurrency: 8, async batch =>
            {
                if (step == 0 && batch >= batches / 4)
                {
                    step++;
                    await cluster.KillSiloAsync(cluster.SecondarySilos[0]);
                }
                else if (step == 1 && batch >= batches / 2)
                {
                    step++;
                    await cluster.StartAdditionalSiloAsync();
                }
                else if (step == 2 && batch >= 3 * batches / 4)
                {
                    step++;
                    await cluster.StopSiloAsync(cluster.SecondarySilos[0]);
                }
            });
            await driver.WaitUntilDispatchedAsync();
            output.WriteLine($"{events.Count} events, {retries} batch sends retried, all dispatched after {clock.Elapsed.TotalSeconds:F1} s");

            Assert.Equal(3, step);
            var log = await driver.ReadLogAsync();
            Assert.Equal(ReplayOracle.Deduplicate(events).Count, log.Count); // nothing acked missing, nothing twice
            await driver.AssertMatchesOracleAsync(log, log.Where(e => !e.IsIdentify).Max(e => e.TimestampMs));
            await driver.AssertVersionsMatchLogAsync();
            Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM (SELECT 1 FROM orleans_grain_state GROUP BY service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension HAVING count(*) > 1) d"));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Restart_WholeClusterOnSameDatabase_AggregatesIdenticalAndRetriesAreDuplicates()
    {
        await using var db = await TestDatabase.CreateAsync("restart");
        var events = EventStreamGenerator.Generate(seed: 32, firstDay: 20_000, users: 150, days: 30);
        var log = new PostgresEventLog(db.DataSource);

        var first = await PostgresClusterFactory.StartAsync(db.ConnectionString, silos: 2);
        await new PipelineDriver(() => first.Client, log, PostgresClusterFactory.Partitions).SendAllAsync(events, batchSize: 200, concurrency: 4);
        await new PipelineDriver(() => first.Client, log, PostgresClusterFactory.Partitions).WaitUntilDispatchedAsync();
        await first.StopAllSilosAsync();
        await first.DisposeAsync();

        var second = await PostgresClusterFactory.StartAsync(db.ConnectionString, silos: 2);
        try
        {
            var again = new PipelineDriver(() => second.Client, log, PostgresClusterFactory.Partitions);
            await again.WaitUntilDispatchedAsync();
            var logged = await again.ReadLogAsync();
            Assert.Equal(ReplayOracle.Deduplicate(events).Count, logged.Count);
            await again.AssertMatchesOracleAsync(logged, logged.Where(e => !e.IsIdentify).Max(e => e.TimestampMs));
            await again.AssertVersionsMatchLogAsync();

            await again.SendAllAsync(events, batchSize: 200, concurrency: 4);
            await again.WaitUntilDispatchedAsync();
            Assert.Equal(logged.Count, (await again.ReadLogAsync()).Count);
            await again.AssertMatchesOracleAsync(logged, logged.Where(e => !e.IsIdentify).Max(e => e.TimestampMs));
            await again.AssertVersionsMatchLogAsync();
        }
        finally
        {
            await second.StopAllSilosAsync();
            await second.DisposeAsync();
        }
    }

    /// <summary>A cluster stopped for longer than the retention with a backlog: retention deleted
    /// a partition's every undispatched event, but its head still counts them. The partition moves
    /// past them (before, it read the log again and again, without pause, until its next commit)
    /// and dispatches what comes next.</summary>
    [Fact]
    public async Task Restart_PartitionsWholeBacklogDeletedByRetention_SkipsItAndDispatchesWhatComesNext()
    {
        await using var db = await TestDatabase.CreateAsync("expired");
        var log = new PostgresEventLog(db.DataSource);
        var first = await PostgresClusterFactory.StartAsync(db.ConnectionString, silos: 1);
        await first.StopAllSilosAsync(); // the schema is in place; every partition dispatched all it had
        await first.DisposeAsync();

        const int Partition = 0;
        var head = await log.GetHeadAsync(Partition);
        var backlog = await log.AppendAsync(Partition, head, [.. Enumerable.Range(0, 5).Select(i => SchemaMigrationTests.Event($"expired-{i}"))], 0);
        // What retention does to rows past it (its own tests cover how it picks them).
        Assert.Equal(5L, await db.ScalarAsync($"WITH gone AS (DELETE FROM event_log WHERE log_partition = {Partition} AND seq > {head} RETURNING 1) SELECT count(*) FROM gone"));

        var second = await PostgresClusterFactory.StartAsync(db.ConnectionString, silos: 1);
        try
        {
            var driver = new PipelineDriver(() => second.Client, log, PostgresClusterFactory.Partitions);
            await driver.WaitUntilDispatchedAsync();
            var status = await second.Client.GetGrain<IPartitionGrain>(Partition).GetStatus();
            Assert.Equal(backlog.Head, status.Dispatched);

            var events = EventStreamGenerator.Generate(seed: 33, firstDay: 20_000, users: 60, days: 10);
            await driver.SendAllAsync(events, batchSize: 200, concurrency: 4);
            await driver.WaitUntilDispatchedAsync();

            var logged = new List<TrackedEvent>();
            for (var p = 0; p < PostgresClusterFactory.Partitions; p++)
            {
                logged.AddRange((await log.ReadAsync(p, 0, int.MaxValue)).Select(e => e.Event).Where(e => e.Tenant == EventStreamGenerator.Tenant));
            }

            Assert.Equal(ReplayOracle.Deduplicate(events).Count, logged.Count);
            Assert.True((await second.Client.GetGrain<IPartitionGrain>(Partition).GetStatus()).Dispatched > backlog.Head, "nothing new reached partition 0");
            await driver.AssertMatchesOracleAsync(logged, logged.Where(e => !e.IsIdentify).Max(e => e.TimestampMs));
            await driver.AssertVersionsMatchLogAsync();
        }
        finally
        {
            await second.StopAllSilosAsync();
            await second.DisposeAsync();
        }
    }
}
