using ProductOps.Churn;
using ProductOps.Domain;
using ProductOps.Grains;

namespace ProductOps.Cluster.Tests;

/// <summary>Trains a churn model on the given histories and activates it in the registry the
/// silos read (the data folder's SQLite store).</summary>
internal static class TestModels
{
    public static async Task<(int Version, ChurnScorer Scorer)> TrainAndActivateAsync(string dataDir, string tenant, IReadOnlyList<UserHistory> users, TenantRules rules)
    {
        var set = TrainingSetBuilder.Build(users, rules, new TrainingSetOptions());
        // A few hundred users: trees of 20 leaves of 20 examples spread their scores over more
        // values than the product's coarser default, which the threshold tests need.
        var result = ChurnTrainer.Train(set, new ChurnTrainingOptions
        {
            MinChurned = 20,
            MinRetained = 20,
            NumberOfTrees = 30,
            NumberOfLeaves = 20,
            MinimumExampleCountPerLeaf = 20,
        });
        var store = new SqliteModelStore(Path.Combine(dataDir, ChurnSiloBuilderExtensions.ModelsFile));
        var stored = await store.AddAsync(tenant, result, set, createdAtMs: 1);
        await store.ActivateAsync(tenant, stored.Version);
        return (stored.Version, ChurnScorer.Load(result.ModelBytes));
    }

    /// <summary>A user's activity replayed offline from its events, as the user grain holds it.</summary>
    public static UserActivity Replay(IEnumerable<TrackedEvent> events, TenantRules rules)
    {
        var activity = new UserActivity();
        var deltas = new List<CounterDelta>();
        foreach (var e in events)
        {
            activity.Apply(e, rules, deltas);
        }

        return activity;
    }
}
