using ProductOps.Domain;

namespace ProductOps.Churn.Tests;

/// <summary>Tenants too small or too one-sided to train on get a clear answer, never a crash.</summary>
public sealed class TinyTenantTrainingTests
{
    private const int Horizon = 1;

    [Fact]
    public void Train_OnlySetAsideUsersChurnBeforeTheHoldout_TreesStillLearnFromBothClasses()
    {
        // The calibration users (one in five by hash) are the only ones who churn in the training
        // period: trees grown on the others alone saw one class and scored everyone 0.5.
        var calibrationUser = Enumerable.Range(0, 100).Select(i => $"u{i}").First(IsCalibrationUser);
        var others = Enumerable.Range(0, 100).Select(i => $"u{i}").Where(u => !IsCalibrationUser(u)).Take(4).ToList();
        var cutoffs = Enumerable.Range(0, 40).Select(d => (long)d * TimeBuckets.MsPerDay).ToList();
        var examples = new List<ChurnExample>();
        foreach (var cutoff in cutoffs)
        {
            var holdout = cutoff >= cutoffs[30];
            examples.Add(Example(calibrationUser, cutoff, churned: cutoff % (2 * TimeBuckets.MsPerDay) == 0));
            foreach (var (user, i) in others.Select((u, i) => (u, i)))
            {
                examples.Add(Example(user, cutoff, churned: holdout && i == 0));
            }
        }

        var set = new TrainingSet(examples, cutoffs, 0, cutoffs[^1] + TimeBuckets.MsPerDay, Horizon);

        var result = ChurnTrainer.Train(set, new ChurnTrainingOptions { MinChurned = 1, MinRetained = 1, NumberOfTrees = 5, MinimumExampleCountPerLeaf = 1 });

        Assert.True(result.Model.Auc > 0.9, $"AUC {result.Model.Auc}; calibration {string.Join(", ", result.Model.Calibration.Where(b => b.Count > 0))}");
        Assert.StartsWith("platt, on the examples the trees grew on", result.Parameters["calibrator"], StringComparison.Ordinal);
    }

    private static bool IsCalibrationUser(string userId) => (ulong)StableHash.Of(userId) % 5 == 0;

    private static ChurnExample Example(string user, long cutoff, bool churned)
    {
        var features = new float[ChurnFeatures.Count];
        features[ChurnFeatures.RecencyIndex] = churned ? 5 : 1;
        features[0] = cutoff / TimeBuckets.MsPerDay;
        return new ChurnExample(user, cutoff, features, churned, new Dictionary<string, TraitValue>());
    }
}
