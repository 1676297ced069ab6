using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>A user who cancels (a churn event after their last other usage) has churned: the
/// model never learnt from such users, so they leave the at-risk ranking, the counts and the
/// alerts, and come back, scored and alerted if at risk, when they use the product again.</summary>
public sealed class ChurnCancellationTests
{
    private const double Threshold = TestClusterFactory.ServingAlertThreshold;

    [Fact]
    public Task Index_AtRiskUserCancelsThenReturns_LeavesRankingAndCountsThenBackScored() =>
        TestClusterFactory.WithClusterAsync(silos: 2, async (cluster, driver) =>
        {
            var scenario = await ServingScenario.StartAsync(cluster, driver, seed: 59);
            var (version, scorer) = await scenario.ActivateAndSweepAsync();
            var now = scenario.NowMs;
            var lines = await scenario.LinesAsync();
            var activities = await scenario.ActivitiesAsync();
            // An at-risk user whose own last event leaves room for two more before the tenant's now
            // (so the clock, and the day, stay where they are).
            var user = lines.Values.Where(l => l.JudgedAtRisk).OrderByDescending(l => l.Risk!.Probability).Select(l => l.UserId)
                .First(u => activities[u].LastSeenMs < now - 2);
            var countsBefore = await scenario.CountAsync(Threshold);
            var head = await scenario.Feed.Head();

            await scenario.SendAsync([new TrackedEvent(ServingScenario.Tenant, user, $"{user}-cancel", EventStreamGenerator.ChurnEvent, string.Empty, now - 2, 0, "s-cancel", null)]);

            await Polling.Eventually(async () =>
            {
                var line = (await scenario.LinesAsync())[user];
                Assert.Null(line.Risk);
                Assert.Equal(now - 2, line.CancelledAtMs);
            }, ServingScenario.Patience);
            var ranked = await scenario.Index.TopAsync(ServingScenario.Tenant, new AtRiskQuery(0, null, null, 10_000));
            Assert.DoesNotContain(user, ranked.Select(e => e.UserId));
            Assert.Equal(countsBefore with { Scored = countsBefore.Scored - 1, AtRisk = countsBefore.AtRisk - 1, Cancelled = countsBefore.Cancelled + 1 }, await scenario.CountAsync(Threshold));
            var answer = await cluster.Client.GetGrain<IUserGrain>(GrainKeys.For(ServingScenario.Tenant, user)).GetChurnRisk(now);
            Assert.Equal((null, true, now - 2), (answer.Risk, answer.HasUsage, answer.CancelledAtMs));

            await scenario.SendAsync([new TrackedEvent(ServingScenario.Tenant, user, $"{user}-back", "feature_used", "search", now - 1, 1, "s-back", null)]);

            var back = await Polling.Eventually(async () =>
            {
                var line = (await scenario.LinesAsync())[user];
                Assert.NotNull(line.Risk);
                Assert.Null(line.CancelledAtMs);
                return line;
            }, ServingScenario.Patience);
            var expected = scorer.Score(scorer.FeaturesOf((await scenario.ActivitiesAsync())[user], back.Risk!.ScoredAtMs));
            Assert.Equal(expected.Probability, back.Risk.Probability, 5);
            Assert.Equal(now, back.Risk.ScoredAtMs);
            var returned = back.JudgedAtRisk ? 1 : 0;
            Assert.Equal(countsBefore with { AtRisk = countsBefore.AtRisk - 1 + returned }, await scenario.CountAsync(Threshold));

            // The only alert since: the return, if at risk (never the cancellation), with no previous score.
            await Polling.Eventually(async () =>
            {
                var alerts = await scenario.AlertsSinceAsync(head);
                Assert.Equal(returned, alerts.Count);
                Assert.All(alerts, a => Assert.Equal((user, null), (a.User.UserId, a.PreviousProbability)));
            }, ServingScenario.Patience);
        });
}
