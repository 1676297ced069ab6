using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using ProductOps.Churn;
using ProductOps.Grains.Abstractions;
using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>A tenant's sweep completes only once every user carries what it swept for: the model
/// version its silo read, even where other silos have not seen the activation yet, and the
/// alert threshold, which it sweeps again for when the tenant changes it.</summary>
public sealed class ChurnSweepTests
{
    private const string Tenant = ServingScenario.Tenant;

    /// <summary>Each silo re-reads the registry's active model every ModelRefreshInterval (here an
    /// hour, so nothing refreshes by itself): every silo holding users read "no model" as they
    /// were listed; then only the sweep's silo sees the activation, as happens when its refresh
    /// comes first.</summary>
    [Fact]
    public Task Sweep_OtherSilosStillHoldNoModel_CompleteOnlyOnceEveryUserScoredWithTheVersion() =>
        TestClusterFactory.WithClusterAsync(silos: 3, async (cluster, driver) =>
        {
            var scenario = await ServingScenario.StartAsync(cluster, driver, seed: 47);
            // Users activate beside the partition that calls them: the sweep goes to the silo with
            // the fewest, so that most users score with other silos' caches.
            var sweepHost = await MoveSweepToTheSiloWithFewestUsersAsync(cluster, scenario.Sweep);
            var usersElsewhere = await UsersHostedElsewhereAsync(cluster, sweepHost);
            Assert.True(usersElsewhere > 50, $"{usersElsewhere} users on the other silos");
            var (version, _) = await scenario.TrainAndActivateAsync();

            ServingScenario.Services(cluster.Silos.Single(s => s.SiloAddress.Equals(sweepHost)))
                .GetRequiredService<ActiveModelCache>().Invalidate(Tenant);
            await scenario.WaitForSweepAsync(version, TestClusterFactory.ServingAlertThreshold);

            // At once: the sweep said done, so every user is scored with the version (or cancelled).
            var lines = await scenario.LinesAsync();
            Assert.Equal(scenario.KnownUsers, lines.Count);
            Assert.All(lines.Values, line => Assert.True(
                line.CancelledAtMs is not null || line.Risk?.ModelVersion == version,
                $"{line.UserId}: model {line.Risk?.ModelVersion}"));
            var counts = await scenario.CountAsync(TestClusterFactory.ServingAlertThreshold);
            Assert.Equal(lines.Values.Count(l => l.Risk is not null), counts.Scored);
        },
        new Dictionary<string, string?> { ["ProductOps:Churn:ModelRefreshInterval"] = "01:00:00" });

    /// <summary>Lowering the threshold: the sweep runs again, and the users it adds are explained
    /// and alerted (their score did not change, but they were judged with the old threshold).
    /// Raising it: the users it removes lose their reasons, and nobody is alerted.</summary>
    [Fact]
    public Task Sweep_AlertThresholdChanged_UsersJudgedAgainAndTheNewlyAtRiskAlerted() =>
        TestClusterFactory.WithClusterAsync(silos: 2, async (cluster, driver) =>
        {
            var scenario = await ServingScenario.StartAsync(cluster, driver, seed: 53);
            var (version, _) = await scenario.ActivateAndSweepAsync();
            var before = await scenario.LinesAsync();
            var settings = cluster.Client.GetGrain<ITenantSettingsGrain>(Tenant);

            const double Lowered = 0.15;
            var head = await scenario.Feed.Head();
            await settings.Update(new TenantSettingsUpdate(AlertThreshold: Lowered));
            await scenario.WaitForSweepAsync(version, Lowered);

            var lowered = await scenario.LinesAsync();
            AssertJudgedWith(Lowered, before, lowered);
            var added = lowered.Values.Where(l => l.Risk?.Probability is >= (float)Lowered and < (float)TestClusterFactory.ServingAlertThreshold)
                .Select(l => l.UserId).Order(StringComparer.Ordinal).ToList();
            Assert.True(added.Count > 5, $"{added.Count} users between the thresholds");
            await Polling.Eventually(async () =>
            {
                var alerts = await scenario.AlertsSinceAsync(head);
                Assert.Equal(added, alerts.Select(a => a.User.UserId).Order(StringComparer.Ordinal));
                Assert.All(alerts, a => Assert.Equal(before[a.User.UserId].Risk!.Probability, a.PreviousProbability));
            }, ServingScenario.Patience);
            Assert.Equal(lowered.Values.Count(l => l.Risk?.Probability >= Lowered), (await scenario.CountAsync(Lowered)).AtRisk);

            const double Raised = 0.5;
            await settings.Update(new TenantSettingsUpdate(AlertThreshold: Raised));
            await scenario.WaitForSweepAsync(version, Raised);

            var raised = await scenario.LinesAsync();
            AssertJudgedWith(Raised, before, raised);
            Assert.Equal(raised.Values.Count(l => l.Risk?.Probability >= Raised), (await scenario.CountAsync(Raised)).AtRisk);
        });

    /// <summary>The same scores as before the change, judged with <paramref name="threshold"/>:
    /// reasons exactly at or above it.</summary>
    private static void AssertJudgedWith(double threshold, Dictionary<string, ChurnIndexEntry> before, Dictionary<string, ChurnIndexEntry> after)
    {
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var line in after.Values.Where(l => l.Risk is not null))
        {
            Assert.Equal(before[line.UserId].Risk!.Probability, line.Risk!.Probability);
            Assert.Equal(threshold, line.AlertThreshold);
            Assert.Equal(line.Risk.Probability >= threshold, line.JudgedAtRisk);
            Assert.Equal(line.JudgedAtRisk, line.Risk.Reasons.Count > 0);
        }
    }

    private static async Task<SiloAddress> MoveSweepToTheSiloWithFewestUsersAsync(TestCluster cluster, IChurnSweepGrain sweep)
    {
        await sweep.Start();
        var users = await UsersPerSiloAsync(cluster);
        var target = cluster.Silos.Select(s => s.SiloAddress).MinBy(s => users.GetValueOrDefault(s))!;
        await TestClusterFactory.MoveToAsync(cluster, sweep, target, ServingScenario.Patience);
        return target;
    }

    private static async Task<int> UsersHostedElsewhereAsync(TestCluster cluster, SiloAddress sweepHost) =>
        (await UsersPerSiloAsync(cluster)).Where(s => !s.Key.Equals(sweepHost)).Sum(s => s.Value);

    /// <summary>The tenant's user activations on each silo.</summary>
    private static async Task<Dictionary<SiloAddress, int>> UsersPerSiloAsync(TestCluster cluster)
    {
        var statistics = await cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(null, null);
        return statistics
            .Where(s => s.GrainId.Type.ToString() == "user" && s.GrainId.Key.ToString()!.StartsWith(Tenant + "/", StringComparison.Ordinal))
            .GroupBy(s => s.SiloAddress)
            .ToDictionary(g => g.Key, g => g.Count());
    }
}
