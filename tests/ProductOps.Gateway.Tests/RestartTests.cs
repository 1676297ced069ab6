using System.Diagnostics;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using Xunit.Abstractions;
using static ProductOps.Gateway.Tests.EventFactory;
using static ProductOps.Testing.Polling;

namespace ProductOps.Gateway.Tests;

/// <summary>
/// Durability across process restarts: each test runs its own node processes, one after the
/// other, on one data directory, so the whole tenant is the test's and every figure is exact.
/// </summary>
public sealed class RestartTests(ITestOutputHelper output)
{
    private const int EventCount = 20_000;
    private const int UserCount = 40;
    private const int BatchSize = 500;
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Restart_AfterGracefulStop_ServesIdenticalAggregates()
    {
        using var data = new TempDirectory();
        var load = new Load("graceful");
        NodeSnapshot before;
        // No checkpoint while running: only the graceful stop itself can have persisted the aggregates.
        await using (var first = await SiloProcess.StartAsync(data.Path, checkpointInterval: TimeSpan.FromMinutes(5)))
        {
            var accepted = await SendAllAsync(first, load);
            var oracle = accepted.Replay();
            await Eventually(async () =>
            {
                await AssertMatchesOracleAsync(first, oracle, load);
                var overview = await first.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
                Assert.Equal(new IngestionCounters { Accepted = EventCount + UserCount }, overview.Counters);
                Assert.True(overview.Freshness.CaughtUp);
                // The churn index lists users a rescore delay after their events: wait for all.
                Assert.Equal(overview.TotalUsers, overview.Churn?.Users ?? 0);
            }, CatchUpTimeout, () => first.Output);

            before = await NodeSnapshot.TakeAsync(first.Query, load.Users, load.Features);
            var stopping = Stopwatch.StartNew();
            Assert.Equal(0, await first.StopAsync());
            output.WriteLine($"graceful stop took {stopping.Elapsed.TotalSeconds:0.0} s");
        }

        await using var second = await SiloProcess.StartAsync(data.Path);
        var restarted = await second.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
        output.WriteLine($"on restart: {restarted.TotalEvents} events in the aggregates, {restarted.Freshness.PendingEvents} to re-dispatch");
        var after = await NodeSnapshot.TakeAsync(second.Query, load.Users, load.Features);

        Assert.Equal(before.Users, after.Users);
        Assert.Equal(before.Features, after.Features);
        Assert.Equal(before.Overview, after.Overview);
        Assert.Equal(before.FeatureList, after.FeatureList);
    }

    [Fact]
    public async Task Restart_AfterKillRightAfterTheLastAck_NothingLostNothingCountedTwice()
    {
        using var data = new TempDirectory();
        var load = new Load("killed");
        AcceptedEvents accepted;
        // No checkpoint before the crash: the aggregates' persisted state lags the log, as it would
        // in production, and the restarted node must rebuild exactly what is missing.
        await using (var first = await SiloProcess.StartAsync(data.Path, checkpointInterval: TimeSpan.FromMinutes(5)))
        {
            accepted = await SendAllAsync(first, load);
            await first.CrashAsync();
        }

        var oracle = accepted.Replay();
        await using var second = await SiloProcess.StartAsync(data.Path);
        var recovering = await second.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
        output.WriteLine($"on restart: {recovering.TotalEvents} events in the aggregates, {recovering.Freshness.PendingEvents} to re-dispatch");
        await Eventually(() => AssertMatchesOracleAsync(second, oracle, load), CatchUpTimeout, () => second.Output);

        // Every event again, as a client retrying after the crash would: all already held.
        var resent = await Task.WhenAll(load.Batches.Select(b => second.Ingest.TrackAsync(b, DemoTenant.Ingest).ResponseAsync));
        Assert.All(resent, r => Assert.Equal((0, BatchSize, 0), (r.Accepted, r.Duplicates, r.Rejected.Count)));
        Assert.Equal(EventCount, resent.Sum(r => r.Duplicates));
        var resentIdentifies = await Task.WhenAll(load.Identifies.Select(i => second.Ingest.IdentifyAsync(i, DemoTenant.Ingest).ResponseAsync));
        Assert.All(resentIdentifies, r => Assert.True(r.Duplicate));

        await Eventually(async () =>
        {
            var overview = await second.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
            Assert.Equal(EventCount + UserCount, overview.Counters.Duplicates);
            Assert.True(overview.Freshness.CaughtUp);
        }, CatchUpTimeout, () => second.Output);
        await AssertMatchesOracleAsync(second, oracle, load);
    }

    /// <summary>Sends the Identify calls, then every batch, four at a time; returns once all are acknowledged.</summary>
    private async Task<AcceptedEvents> SendAllAsync(SiloProcess silo, Load load)
    {
        var accepted = new AcceptedEvents();
        var started = DateTimeOffset.UtcNow;
        foreach (var identify in load.Identifies)
        {
            var response = await silo.Ingest.IdentifyAsync(identify, DemoTenant.Ingest);
            Assert.True(response.Accepted);
            accepted.Add(identify);
        }

        await Parallel.ForEachAsync(load.Batches, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, cancel) =>
        {
            var response = await silo.Ingest.TrackAsync(batch, DemoTenant.Ingest, cancellationToken: cancel);
            Assert.Equal((batch.Events.Count, 0, 0), (response.Accepted, response.Duplicates, response.Rejected.Count));
            accepted.Add(batch, response);
        });
        output.WriteLine($"{load.Name}: {accepted.Count} events acknowledged in {(DateTimeOffset.UtcNow - started).TotalSeconds:0.0} s");
        return accepted;
    }

    /// <summary>Every user and feature view, and the tenant's days and totals, equal the oracle's.</summary>
    private static async Task AssertMatchesOracleAsync(SiloProcess silo, OracleResult oracle, Load load)
    {
        Assert.Equal(load.Users.Order(StringComparer.Ordinal), oracle.UserIds.Order(StringComparer.Ordinal));
        var overview = await silo.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
        Assert.Equal(ExpectedViews.Overview(oracle, AcceptedEvents.Ms(overview.AsOf)), ExpectedViews.ActivityOnly(overview));
        foreach (var user in load.Users)
        {
            var actual = await silo.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Read);
            Assert.Equal(ExpectedViews.User(oracle, user, AcceptedEvents.Ms(actual.AsOf)), actual);
        }

        foreach (var feature in load.Features)
        {
            var actual = await silo.Query.GetFeatureAsync(new GetFeatureRequest { Feature = feature }, DemoTenant.Read);
            Assert.Equal(ExpectedViews.Feature(oracle, feature, AcceptedEvents.Ms(actual.AsOf)), ExpectedViews.WithoutAdoption(actual));
        }
    }

    /// <summary>20,000 events of 40 users over 6 features and the last 10 days, and one Identify per user.</summary>
    private sealed class Load
    {
        public Load(string name)
        {
            Name = name;
            var prefix = Prefix(name);
            var now = DateTimeOffset.UtcNow;
            Features = [.. Enumerable.Range(0, 6).Select(i => $"{prefix}-f{i}")];
            Users = [.. Enumerable.Range(0, UserCount).Select(i => $"{prefix}-u{i}")];
            Batches = EventFactory.Batches(Usage(prefix, UserCount, Features, EventCount, seed: 97, now), BatchSize, prefix);
            Identifies = [.. Users.Select((user, i) => new IdentifyRequest
            {
                EventId = $"{user}-identify",
                UserId = user,
                Timestamp = ExpectedViews.Time(now.AddDays(-i % 10).ToUnixTimeMilliseconds()),
                Traits = { ["plan"] = i % 3 == 0 ? "pro" : "free", ["cohort"] = $"c{i % 4}" },
            })];
        }

        public string Name { get; }

        public IReadOnlyList<string> Features { get; }

        public IReadOnlyList<string> Users { get; }

        public IReadOnlyList<TrackRequest> Batches { get; }

        public IReadOnlyList<IdentifyRequest> Identifies { get; }
    }
}
