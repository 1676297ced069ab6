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
        Assert.Null(await probe.GetChurnRisk(asOf)); // no model yet

        var set = TrainingSetBuilder.Build(users, rules, new TrainingSetOptions());
        var result = ChurnTrainer.Train(set, new ChurnTrainingOptions { MinChurned = 20, MinRetained = 20, NumberOfTrees = 30 });
        var store = new SqliteModelStore(Path.Combine(fixture.DataDir, ChurnSiloBuilderExtensions.ModelsFile));
        var stored = await store.AddAsync(Tenant, result, set, createdAtMs: 1);
        await store.ActivateAsync(Tenant, stored.Version);
        var scorer = ChurnScorer.Load(result.ModelBytes);

        var scored = 0;
        foreach (var user in users)
        {
            var live = new UserActivity();
            var deltas = new List<CounterDelta>();
            foreach (var e in user.Events)
            {
                live.Apply(e, rules, deltas);
            }

            var risk = await fixture.Cluster.Client.GetGrain<IUserGrain>(GrainKeys.For(Tenant, user.UserId)).GetChurnRisk(asOf);
            if (live.FirstSeenMs is null)
            {
                Assert.Null(risk);
                continue;
            }

            var expected = scorer.Score(scorer.FeaturesOf(live, asOf));
            Assert.NotNull(risk);
            Assert.Equal(expected.Probability, risk.Probability, 5);
            Assert.Equal(stored.Version, risk.ModelVersion);
            Assert.Equal(asOf, risk.ScoredAtMs);
            Assert.Equal(expected.Reasons.Select(r => r.Text), risk.Reasons);
            scored++;
        }

        Assert.True(scored > 100, $"{scored} users scored");

        // A second version, activated in the registry, is served without a restart.
        var second = await store.AddAsync(Tenant, result, set, createdAtMs: 2);
        await store.ActivateAsync(Tenant, second.Version);
        Assert.Equal(second.Version, (await probe.GetChurnRisk(asOf))!.ModelVersion);
    }
}
