using ProductOps.Domain;

namespace ProductOps.Churn.Tests;

/// <summary>A score's reasons are the features that push the user's probability up. The trees'
/// contributions push their raw score; whether a higher score means a higher probability is the
/// sign of the Platt calibrator's slope, which is fitted on other users than the trees and can
/// come out either way.</summary>
public sealed class ReasonDirectionTests
{
    private const float Recent = 1;
    private const float Silent = 5;

    [Fact]
    public void Score_CalibratorReversesTheTrees_ReasonsFollowTheProbability()
    {
        // The trees learn "silent churns" from four users in five; the fifth, on whom Platt is
        // fitted, churn when recent: the calibrated model ranks the recent user riskier.
        var scorer = ChurnScorer.Load(ChurnTrainer.Train(ReversingSet(), Options).ModelBytes);
        var recent = Vector(Recent);
        var silent = Vector(Silent);

        var recentScore = scorer.Score(recent);
        var silentScore = scorer.Score(silent);

        Assert.True(recentScore.Probability > silentScore.Probability, $"not reversed: {recentScore.Probability} vs {silentScore.Probability}");
        var reason = Assert.Single(recentScore.Reasons);
        Assert.Equal("recency_days", reason.Feature);
        Assert.True(reason.Contribution > 0, $"contribution {reason.Contribution}");
        Assert.Empty(silentScore.Reasons); // silence lowers this model's risk: no reason for it
    }

    [Fact]
    public void Score_CalibratorFollowsTheTrees_SilenceIsTheReason()
    {
        var scorer = ChurnScorer.Load(ChurnTrainer.Train(ReversingSet(reverse: false), Options).ModelBytes);

        var silentScore = scorer.Score(Vector(Silent));

        Assert.True(silentScore.Probability > scorer.Probability(Vector(Recent)));
        Assert.Equal("recency_days", Assert.Single(silentScore.Reasons).Feature);
        Assert.Empty(scorer.Score(Vector(Recent)).Reasons);
    }

    private static ChurnTrainingOptions Options => new() { MinChurned = 1, MinRetained = 1, NumberOfTrees = 5, MinimumExampleCountPerLeaf = 5 };

    /// <summary>200 users over 40 daily cutoffs (horizon 1 day), each recent or silent in turn;
    /// the trees' users churn when silent, the calibration users (one in five by hash), when
    /// <paramref name="reverse"/>, when recent.</summary>
    private static TrainingSet ReversingSet(bool reverse = true)
    {
        var cutoffs = Enumerable.Range(0, 40).Select(d => d * TimeBuckets.MsPerDay).ToList();
        var examples = new List<ChurnExample>();
        foreach (var (cutoff, c) in cutoffs.Select((cutoff, c) => (cutoff, c)))
        {
            for (var u = 0; u < 200; u++)
            {
                var user = $"u{u}";
                var silent = (u + c) % 2 == 0;
                var churned = reverse && IsCalibrationUser(user) ? !silent : silent;
                examples.Add(new ChurnExample(user, cutoff, Vector(silent ? Silent : Recent), churned, new Dictionary<string, TraitValue>()));
            }
        }

        return new TrainingSet(examples, cutoffs, 0, cutoffs[^1] + TimeBuckets.MsPerDay, HorizonDays: 1);
    }

    private static float[] Vector(float recency)
    {
        var features = new float[ChurnFeatures.Count];
        features[ChurnFeatures.RecencyIndex] = recency;
        return features;
    }

    private static bool IsCalibrationUser(string userId) => (ulong)StableHash.Of(userId) % 5 == 0;
}
