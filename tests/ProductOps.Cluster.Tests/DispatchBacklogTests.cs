using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using ProductOps.Domain;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;
using ProductOps.Testing;
using ProductOps.Testing.Cluster;

namespace ProductOps.Cluster.Tests;

/// <summary>A partition whose dispatch stalls keeps acking commits while holding only a bounded
/// number of them in memory, and dispatches all of them, once each, when it can again.</summary>
public sealed class DispatchBacklogTests
{
    private const int Partitions = 2;
    private const int MaxDispatchEvents = 64;
    private const int Cap = PartitionGrain.HeldCyclesOfEvents * MaxDispatchEvents;

    [Fact]
    public Task Append_DispatchStalledPastTheCap_AckedHeldAtCapAndAggregatesMatchOracleOnceResumed() => WithClusterAsync(async (cluster, log, driver) =>
    {
        var memory = ((InProcessSiloHandle)cluster.Primary!).SiloHost.Services.GetRequiredService<DispatchMemory>();
        var events = EventStreamGenerator.Generate(seed: 31, firstDay: 20_000, users: 120, days: 30);
        var warnedBefore = Warnings().Count;

        StalledApplyFilter.Stall();
        var stalled = Stopwatch.StartNew();
        var retries = await driver.SendAllAsync(events, batchSize: 25, concurrency: 4);

        Assert.Equal(0, retries); // every commit acked, none dispatched
        foreach (var status in await StatusesAsync(cluster))
        {
            Assert.Equal(0, status.Dispatched);
            Assert.True(status.Head > 4 * Cap, $"partition {status.Partition} committed only {status.Head} events");
            Assert.Equal(Cap, memory.Held(status.Partition));
            // The lag is the oldest pending event's, which memory no longer holds.
            var next = Assert.Single(await log.ReadAsync(status.Partition, status.Dispatched, 1));
            Assert.Equal(next.CommittedAtMs, status.OldestPendingCommittedAtMs);
        }

        // Said, but not per commit: at most once a minute per partition.
        Assert.InRange(Warnings().Count - warnedBefore, 1, Partitions * (1 + (int)stalled.Elapsed.TotalMinutes));

        StalledApplyFilter.Resume();
        await driver.WaitUntilDispatchedAsync();

        await driver.AssertLogCompleteAndAggregatesMatchAsync(events);
        Assert.All(Enumerable.Range(0, Partitions), p => Assert.Equal(0, memory.Held(p)));
    });

    [Fact]
    public Task GetStatus_DispatchStalled_SplitsWhatItHoldsByTenantAndLeavesTheLogsPartUnattributed() => WithClusterAsync(async (cluster, log, driver) =>
    {
        var events = EventStreamGenerator.Generate(seed: 32, firstDay: 20_000, users: 40, days: 20);
        var acme = events.Take(8).ToList();
        var other = events.Skip(8).Take(40).Select(e => e with { Tenant = "other" }).ToList();

        StalledApplyFilter.Stall();
        await driver.SendAllAsync([.. acme, .. other], batchSize: 4, concurrency: 2);

        var statuses = await StatusesAsync(cluster);
        Assert.Equal(Distinct(acme), PendingOf("acme", statuses));
        Assert.Equal(Distinct(other), PendingOf("other", statuses));
        Assert.All(statuses, s => Assert.Equal(0, s.UnattributedSinceMs));
        Assert.All(statuses.SelectMany(s => s.PendingByTenant), p => Assert.InRange(p.OldestCommittedAtMs, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

        // Past what memory holds: the oldest, acme's among them, are in the log only, where
        // they are not split by tenant; the backlog's age is still told.
        var more = events.Skip(48).Take(8 * Cap).Select(e => e with { Tenant = "other" }).ToList();
        await driver.SendAllAsync(more, batchSize: 25, concurrency: 4);
        foreach (var status in await StatusesAsync(cluster))
        {
            var first = Assert.Single(await log.ReadAsync(status.Partition, status.Dispatched, 1));
            Assert.Equal(first.CommittedAtMs, status.UnattributedSinceMs);
            Assert.Equal(Cap, status.PendingByTenant.Sum(p => p.Events));
            Assert.DoesNotContain(status.PendingByTenant, p => p.Tenant == "acme");
        }

        StalledApplyFilter.Resume();
        await driver.WaitUntilDispatchedAsync();
        Assert.All(await StatusesAsync(cluster), s => Assert.Equal((0, 0L), (s.PendingByTenant.Count, s.UnattributedSinceMs)));
    });

    /// <summary>Runs <paramref name="test"/> on a one-silo cluster of its own whose user grains
    /// can be stalled, on a fresh data folder (with the log read directly, and a driver); resumes
    /// and removes them after.</summary>
    private static async Task WithClusterAsync(Func<TestCluster, SqliteEventLog, PipelineDriver, Task> test)
    {
        var dataDir = Directory.CreateTempSubdirectory("productops-backlog-").FullName;
        var cluster = await StartClusterAsync(dataDir);
        try
        {
            using var log = TestClusterFactory.OpenLog(dataDir);
            await test(cluster, log, new PipelineDriver(() => cluster.Client, log, Partitions));
        }
        finally
        {
            StalledApplyFilter.Resume();
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<TestCluster> StartClusterAsync(string dataDir)
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<ClusterSiloConfigurator>();
        builder.AddSiloBuilderConfigurator<StalledApplyConfigurator>();
        var settings = ClusterTestSettings.Pipeline(Partitions);
        settings["ProductOps:DataDir"] = dataDir;
        settings["ProductOps:Pipeline:MaxDispatchEvents"] = MaxDispatchEvents.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(settings));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>How many of the events the log keeps: a retry of one is a duplicate.</summary>
    private static long Distinct(IEnumerable<TrackedEvent> events) => events.DistinctBy(e => (e.UserId, e.EventId)).Count();

    private static long PendingOf(string tenant, IEnumerable<PartitionStatus> statuses) =>
        statuses.SelectMany(s => s.PendingByTenant).Where(p => p.Tenant == tenant).Sum(p => p.Events);

    private static List<string> Warnings() =>
        [.. CapturedWarnings.Lines.Where(line => line.Contains($"past the {Cap} it holds in memory", StringComparison.Ordinal))];

    private static Task<PartitionStatus[]> StatusesAsync(TestCluster cluster) =>
        Task.WhenAll(Enumerable.Range(0, Partitions).Select(p => cluster.Client.GetGrain<IPartitionGrain>(p).GetStatus()));
}
