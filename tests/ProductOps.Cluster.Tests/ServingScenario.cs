using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;
using ProductOps.Churn;
using ProductOps.Domain;
using ProductOps.Gateway.Query;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;
using ProductOps.Testing;
using ProductOps.Testing.Cluster;

namespace ProductOps.Cluster.Tests;

/// <summary>A cluster of its own with the serving tenant's generated history in it, for churn
/// serving tests that change the tenant's model, settings or users: the steps they share.</summary>
internal sealed class ServingScenario(TestCluster cluster, PipelineDriver driver, List<TrackedEvent> log)
{
    public const string Tenant = TestClusterFactory.ServingTenant;
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public TestCluster Cluster => cluster;

    public ChurnIndexReader Index { get; } = new(cluster.Client, Options.Create(new PipelineOptions { Partitions = TestClusterFactory.Partitions }));

    public IChurnSweepGrain Sweep => cluster.Client.GetGrain<IChurnSweepGrain>(Tenant);

    public IAtRiskFeedGrain Feed => cluster.Client.GetGrain<IAtRiskFeedGrain>(Tenant);

    /// <summary>The tenant clock's now: the history's latest event.</summary>
    public long NowMs => log.Max(e => e.TimestampMs);

    /// <summary>Users with usage events (identify calls alone make no user).</summary>
    public int KnownUsers => log.GroupBy(e => e.UserId, StringComparer.Ordinal).Count(g => TestModels.Replay(g, PipelineDriver.Rules).FirstSeenMs is not null);

    /// <summary>Sends a generated history of 150 users and waits until every user is in the index.</summary>
    public static async Task<ServingScenario> StartAsync(TestCluster cluster, PipelineDriver driver, int seed)
    {
        var log = ReplayOracle.Deduplicate(EventStreamGenerator.Generate(seed, firstDay: 20_000, users: 150, days: 60))
            .Select(e => e with { Tenant = Tenant })
            .ToList();
        var scenario = new ServingScenario(cluster, driver, log);
        await scenario.SendAsync(log);
        await Polling.Eventually(async () => Assert.Equal(scenario.KnownUsers, (await scenario.CountAsync(0.5)).Users), Patience);
        return scenario;
    }

    public async Task SendAsync(IReadOnlyList<TrackedEvent> events)
    {
        if (!ReferenceEquals(events, log))
        {
            log.AddRange(events);
        }

        await driver.SendAllAsync(events, batchSize: 200, concurrency: 4);
        await driver.WaitUntilDispatchedAsync();
    }

    /// <summary>Trains on the history so far and activates the model in the silos' registry.</summary>
    public async Task<(int Version, ChurnScorer Scorer)> TrainAndActivateAsync()
    {
        var histories = log.GroupBy(e => e.UserId, StringComparer.Ordinal).Select(g => new UserHistory(g.Key, [.. g])).ToList();
        var dataDir = Services(cluster.Primary).GetRequiredService<IOptions<StorageOptions>>().Value.DataDir;
        return await TestModels.TrainAndActivateAsync(dataDir, Tenant, histories, PipelineDriver.Rules);
    }

    /// <summary>Trains and activates a model, waits for its sweep, and for the alerts it raised
    /// (each user it scored at risk, once: shards publish them within a second of the sweep),
    /// so that alerts read from the feed's head after this are the test's own.</summary>
    public async Task<(int Version, ChurnScorer Scorer)> ActivateAndSweepAsync()
    {
        var head = await Feed.Head();
        var (version, scorer) = await TrainAndActivateAsync();
        await WaitForSweepAsync(version, TestClusterFactory.ServingAlertThreshold);
        var atRisk = (await LinesAsync()).Values.Count(l => l.JudgedAtRisk);
        await Polling.Eventually(async () => Assert.Equal(atRisk, (await AlertsSinceAsync(head)).Count), Patience);
        return (version, scorer);
    }

    /// <summary>Waits until the sweep has completed with the model and threshold.</summary>
    public async Task WaitForSweepAsync(int version, double threshold)
    {
        ChurnSweepStatus? status = null;
        await Polling.Until(
            async () => (status = await Sweep.GetStatus()) is { } s && s.SweptModelVersion == version && s.SweptAlertThreshold == threshold,
            Patience,
            () => $"sweep status {status}");
    }

    public Task<ChurnIndexCounts> CountAsync(double threshold) => Index.CountAsync(Tenant, threshold);

    /// <summary>Every line with a prediction (scored or cancelled), by user.</summary>
    public async Task<Dictionary<string, ChurnIndexEntry>> LinesAsync()
    {
        var lines = new Dictionary<string, ChurnIndexEntry>(StringComparer.Ordinal);
        await foreach (var entry in Index.PredictionsAsync(Tenant, CancellationToken.None))
        {
            lines.Add(entry.UserId, entry);
        }

        return lines;
    }

    /// <summary>Every alert published after <paramref name="from"/> so far.</summary>
    public async Task<List<AtRiskCrossing>> AlertsSinceAsync(AtRiskFeedPosition from)
    {
        var alerts = new List<AtRiskCrossing>();
        var position = from;
        while (true)
        {
            var page = await Feed.Read(position, TimeSpan.Zero);
            if (page.Crossings.Count == 0)
            {
                return alerts;
            }

            alerts.AddRange(page.Crossings);
            position = page.Next;
        }
    }

    /// <summary>Every user's events so far, replayed in log order as the user grains applied them
    /// (traits set at the same instant go to the later event in the log).</summary>
    public async Task<Dictionary<string, UserActivity>> ActivitiesAsync() =>
        (await driver.ReadLogAsync(Tenant)).GroupBy(e => e.UserId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => TestModels.Replay(g, PipelineDriver.Rules), StringComparer.Ordinal);

    public static IServiceProvider Services(SiloHandle? silo) => ((InProcessSiloHandle)silo!).SiloHost.Services;
}
