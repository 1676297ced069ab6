using ProductOps.Churn;
using ProductOps.Domain;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;
using ProductOps.Testing;
using ProductOps.Testing.Cluster;

namespace ProductOps.Cluster.Tests;

/// <summary>The live user grains score themselves with the registry's active model, from the very
/// features the training builder computes (train/serve parity through the cluster), and pick up
/// a newly activated model without a restart.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ChurnServingTests(ClusterFixture fixture)
{
    private const string Tenant = "churn"; // its own tenant: the shared log's "acme" stays the oracle's
    private readonly PipelineDriver _driver = fixture.Driver;

    [Fact]
    public async Task GetChurnRisk_ActivatedModel_EqualsOfflineScoreOfSameEvents()
    {
        var rules = TenantRules.Default; // the tenant has no configuration of its own
        var log = ReplayOracle.Deduplicate(EventStreamGenerator.Generate(seed: 31, firstDay: 20_000, users: 120, days: 60))
            .Select(e => e with { Tenant = Tenant })
            .ToList();
        await _driver.SendAllAsync(log, batchSize: 200, concurrency: 4);
        await _driver.WaitUntilDispatchedAsync();
        // In log order, as the grains applied them: traits set at the same instant go to the later
        // event in the log, so the order sent is not enough.
        var users = (await _driver.ReadLogAsync(Tenant)).GroupBy(e => e.UserId, StringComparer.Ordinal)
            .Select(g => new UserHistory(g.Key, [.. g]))
            .ToList();
        var asOf = log.Max(e => e.TimestampMs) + TimeBuckets.MsPerHour;
        var probe = fixture.Cluster.Client.GetGrain<IUserGrain>(GrainKeys.For(Tenant, users[0].UserId));
        Assert.Null((await probe.GetChurnRisk(asOf)).Risk); // no model yet

        var set = TrainingSetBuilder.Build(users, rules, new TrainingSetOptions());
        var result = ChurnTrainer.Train(set, new ChurnTrainingOptions { MinChurned = 20, MinRetained = 20, NumberOfTrees = 30 });
        var store = new SqliteModelStore(Path.Combine(fixture.DataDir, ChurnSiloBuilderExtensions.ModelsFile));
        var stored = await store.AddAsync(Tenant, result, set, createdAtMs: 1);
        await store.ActivateAsync(Tenant, stored.Version);
        var scorer = ChurnScorer.Load(result.ModelBytes);

        int scored = 0, cancelled = 0;
        string? firstScored = null;
        foreach (var user in users)
        {
            var live = new UserActivity();
            var deltas = new List<CounterDelta>();
            foreach (var e in user.Events)
            {
                live.Apply(e, rules, deltas);
            }

            var answer = await fixture.Cluster.Client.GetGrain<IUserGrain>(GrainKeys.For(Tenant, user.UserId)).GetChurnRisk(asOf);
            var risk = answer.Risk;
            Assert.Equal(live.FirstSeenMs is not null, answer.HasUsage);
            Assert.True(answer.HasEvents, $"{user.UserId}: its events are applied");
            if (live.FirstSeenMs is null)
            {
                Assert.Null(risk);
                continue;
            }

            // A user whose latest churn event is at or after their latest other usage cancelled:
            // told, not scored.
            if (live.LastChurnEventMs is { } churnedAt && churnedAt >= (live.LastEngagedMs ?? long.MinValue))
            {
                Assert.Null(risk);
                Assert.Equal(churnedAt, answer.CancelledAtMs);
                cancelled++;
                continue;
            }

            var expected = scorer.Score(scorer.FeaturesOf(live, asOf));
            Assert.NotNull(risk);
            Assert.Equal(expected.Probability, risk.Probability, 5);
            Assert.Equal(stored.Version, risk.ModelVersion);
            Assert.Equal(asOf, risk.ScoredAtMs);
            Assert.Equal(expected.Reasons.Select(r => r.Text), risk.Reasons);
            Assert.Null(answer.CancelledAtMs);
            if (firstScored is null)
            {
                // A tenant clock behind the user's latest event (a wall clock behind the client's,
                // within the allowed skew): scored at that event, as the index's line is, never on
                // a state holding events after the time it is scored at.
                var lastSeen = live.LastSeenMs!.Value;
                var early = (await fixture.Cluster.Client.GetGrain<IUserGrain>(GrainKeys.For(Tenant, user.UserId)).GetChurnRisk(lastSeen - TimeBuckets.MsPerDay)).Risk!;
                Assert.Equal(lastSeen, early.ScoredAtMs);
                Assert.Equal(scorer.Probability(scorer.FeaturesOf(live, lastSeen)), early.Probability, 5);
            }

            firstScored ??= user.UserId;
            scored++;
        }

        Assert.True(scored > 60 && cancelled > 5, $"{scored} users scored, {cancelled} cancelled");

        // A second version, activated in the registry, is served without a restart.
        var second = await store.AddAsync(Tenant, result, set, createdAtMs: 2);
        await store.ActivateAsync(Tenant, second.Version);
        var scoredProbe = fixture.Cluster.Client.GetGrain<IUserGrain>(GrainKeys.For(Tenant, firstScored!));
        Assert.Equal(second.Version, (await scoredProbe.GetChurnRisk(asOf)).Risk!.ModelVersion);
    }
}
