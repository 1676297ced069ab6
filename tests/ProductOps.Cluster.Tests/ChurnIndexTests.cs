using Microsoft.Extensions.Options;
using ProductOps.Churn;
using ProductOps.Domain;
using ProductOps.Gateway.Query;
using ProductOps.Grains.Abstractions;
using ProductOps.Testing;
using ProductOps.Testing.Cluster;

namespace ProductOps.Cluster.Tests;

/// <summary>The at-risk index holds, for every user, what offline scoring of the user's events
/// with the same model gives: after the events (debounced rescoring), after a model activation
/// and after the tenant clock enters a new day (the sweep, dormant users included). One test,
/// because each step builds on the tenant's state after the previous one.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ChurnIndexTests(ClusterFixture fixture)
{
    private const string Tenant = TestClusterFactory.ServingTenant;
    private const string ProbeFeature = "serving-probe";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly PipelineDriver _driver = fixture.Driver;

    private static TenantRules Rules => PipelineDriver.Rules; // the serving tenant's configuration

    private ChurnIndexReader Index => new(fixture.Cluster.Client, Options.Create(new PipelineOptions { Partitions = TestClusterFactory.Partitions }));

    [Fact]
    public async Task Index_AfterEventsActivationAndNewDay_EqualsOfflineScoreOfEveryUserAndPagesInOrder()
    {
        var log = ReplayOracle.Deduplicate(EventStreamGenerator.Generate(seed: 47, firstDay: 20_000, users: 150, days: 60))
            .Select(e => e with { Tenant = Tenant })
            .ToList();
        await SendAsync(log);
        var known = KnownUsers(log);
        var cancelled = CancelledUsers(log);
        Assert.True(cancelled > 0, "the stream has users who cancelled");
        await Eventually(async () =>
        {
            var counts = await Index.CountAsync(Tenant, TestClusterFactory.ServingAlertThreshold);
            Assert.Equal(new ChurnIndexCounts(known, 0, 0, cancelled), counts); // every user is in the index, unscored; those who cancelled as such
        });

        // Activation: the sweep scores every user, at the tenant clock's now.
        var histories = log.GroupBy(e => e.UserId, StringComparer.Ordinal).Select(g => new UserHistory(g.Key, [.. g])).ToList();
        var (version, scorer) = await TestModels.TrainAndActivateAsync(fixture.DataDir, Tenant, histories, Rules);
        var now = log.Max(e => e.TimestampMs);
        await WaitForSweepAsync(version, now);
        await AssertIndexEqualsOfflineAsync(version, scorer, scoredAt: now);

        // Events: the users they touch are rescored shortly after, without a sweep (same day).
        var touched = histories.Take(5).Select(h => h.UserId).ToList();
        var probes = touched.Select(u => new TrackedEvent(Tenant, u, $"probe-{u}", "probe_used", ProbeFeature, now, 1, "probe", null)).ToList();
        log.AddRange(probes);
        await SendAsync(probes);
        await Eventually(() => AssertIndexEqualsOfflineAsync(version, scorer, scoredAt: now));
        var probeUsers = await Index.TopAsync(Tenant, new AtRiskQuery(0, ProbeFeature, null, 100));
        Assert.Equal(touched.Order(StringComparer.Ordinal), probeUsers.Select(e => e.UserId).Order(StringComparer.Ordinal));

        // A new tenant-clock day: the sweep rescores every user, dormant ones included.
        var nextDay = now + TimeBuckets.MsPerDay;
        var mover = new TrackedEvent(Tenant, "clock-mover", "clock-mover-1", "page_view", "home", nextDay, 0, "s", null);
        log.Add(mover);
        await SendAsync([mover]);
        await WaitForSweepAsync(version, nextDay);
        // The mover is a new user: the sweep may have paged its shard before the mover's own
        // debounced rescoring listed it, which then scores it at the same day a moment later.
        await Eventually(() => AssertIndexEqualsOfflineAsync(version, scorer, scoredAt: nextDay));
        await AssertPagesCoverTopInOrderAsync();
    }

    /// <summary>Pages of 7, each continuing after the previous page's last user, list exactly the
    /// users of one big page, in the at-risk order; the at-risk count agrees.</summary>
    private async Task AssertPagesCoverTopInOrderAsync()
    {
        var all = await Index.TopAsync(Tenant, new AtRiskQuery(0.1, null, null, 10_000));
        Assert.True(all.Count > 20, $"{all.Count} users at or above 0.1");
        Assert.Equal(all.OrderBy(e => e, AtRiskOrder.Instance).Select(e => e.UserId), all.Select(e => e.UserId));

        var paged = new List<ChurnIndexEntry>();
        AtRiskCursor? after = null;
        while (true)
        {
            var page = await Index.TopAsync(Tenant, new AtRiskQuery(0.1, null, after, 7));
            paged.AddRange(page);
            if (page.Count < 7)
            {
                break;
            }

            after = new AtRiskCursor(page[^1].Risk!.Probability, page[^1].UserId);
        }

        Assert.Equal(all.Select(e => e.UserId), paged.Select(e => e.UserId));
        var counts = await Index.CountAsync(Tenant, TestClusterFactory.ServingAlertThreshold);
        Assert.Equal(all.Count(e => e.Risk!.Probability >= TestClusterFactory.ServingAlertThreshold), counts.AtRisk);
    }

    private static int KnownUsers(IEnumerable<TrackedEvent> log) =>
        log.GroupBy(e => e.UserId, StringComparer.Ordinal).Count(g => TestModels.Replay(g, Rules).FirstSeenMs is not null);

    /// <summary>Users whose latest churn event is at or after their latest use.</summary>
    private static int CancelledUsers(IEnumerable<TrackedEvent> log) =>
        log.GroupBy(e => e.UserId, StringComparer.Ordinal)
            .Select(g => TestModels.Replay(g, Rules))
            .Count(a => a.LastChurnEventMs is { } churnedMs && churnedMs >= (a.LastEngagedMs ?? long.MinValue));

    private async Task SendAsync(IReadOnlyList<TrackedEvent> events)
    {
        await _driver.SendAllAsync(events, batchSize: 200, concurrency: 4);
        await _driver.WaitUntilDispatchedAsync();
    }

    private async Task WaitForSweepAsync(int version, long nowMs) => await Eventually(async () =>
    {
        var status = await fixture.Cluster.Client.GetGrain<IChurnSweepGrain>(Tenant).GetStatus();
        Assert.Equal(version, status.SweptModelVersion);
        Assert.Equal(nowMs, status.SweptAtMs);
    });

    /// <summary>Every user with usage is in the index with the probability (and, at or above
    /// the threshold, the reasons) that the model gives for features computed offline at the
    /// entry's scoring time; every entry was scored at <paramref name="scoredAt"/>. A user who
    /// cancelled (latest churn event at or after the latest other usage) is listed as such, unscored.</summary>
    private async Task AssertIndexEqualsOfflineAsync(int version, ChurnScorer scorer, long scoredAt)
    {
        var entries = new Dictionary<string, ChurnIndexEntry>(StringComparer.Ordinal);
        await foreach (var entry in Index.PredictionsAsync(Tenant, CancellationToken.None))
        {
            entries.Add(entry.UserId, entry);
        }

        // Offline replay in log order, as the grains applied the events: traits set at the same
        // instant go to the later event in the log, so the order sent is not enough.
        var log = await _driver.ReadLogAsync(Tenant);
        int checkedUsers = 0, cancelled = 0;
        foreach (var user in log.GroupBy(e => e.UserId, StringComparer.Ordinal))
        {
            var activity = TestModels.Replay(user, Rules);
            if (activity.FirstSeenMs is null)
            {
                Assert.False(entries.ContainsKey(user.Key), $"{user.Key} has no usage but a score");
                continue;
            }

            Assert.True(entries.TryGetValue(user.Key, out var entry), $"{user.Key} is not scored");
            Assert.Equal(activity.FeatureNames(), entry.Features.Order(StringComparer.Ordinal));
            checkedUsers++;
            if (activity.LastChurnEventMs is { } churnedAt && churnedAt >= (activity.LastEngagedMs ?? long.MinValue))
            {
                Assert.Null(entry.Risk);
                Assert.Equal(churnedAt, entry.CancelledAtMs);
                cancelled++;
                continue;
            }

            Assert.Null(entry.CancelledAtMs);
            Assert.Equal(TestClusterFactory.ServingAlertThreshold, entry.AlertThreshold);
            var risk = entry.Risk!;
            Assert.Equal(version, risk.ModelVersion);
            Assert.Equal(scoredAt, risk.ScoredAtMs);
            var expected = scorer.Score(scorer.FeaturesOf(activity, risk.ScoredAtMs));
            Assert.Equal(expected.Probability, risk.Probability, 5);
            var explained = expected.Probability >= TestClusterFactory.ServingAlertThreshold;
            Assert.Equal(explained ? expected.Reasons.Select(r => r.Text) : [], risk.Reasons);
        }

        Assert.True(checkedUsers > 100 && cancelled > 10, $"{checkedUsers} users checked, {cancelled} of them cancelled");
        Assert.Equal(checkedUsers, entries.Count);
    }

    private static Task Eventually(Func<Task> assertion) => Polling.Eventually(assertion, Patience);
}
