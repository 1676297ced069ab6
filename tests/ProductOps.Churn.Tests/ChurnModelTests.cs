using System.Globalization;
using ProductOps.Domain;
using ProductOps.Simulator;
using Xunit.Abstractions;

namespace ProductOps.Churn.Tests;

/// <summary>The model, judged on a simulation whose churners are known, against recency alone.</summary>
[Collection(SimulatedChurnCollection.Name)]
public sealed class ChurnModelTests(SimulatedChurnFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void Train_SimulatedProduct_HoldoutAucAtLeast085AndAboveRecencyBaseline()
    {
        var result = fixture.Result;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"examples: {fixture.Set.Examples.Count} over {fixture.Set.CutoffsMs.Count} cutoffs (train {result.TrainExamples}, holdout {result.ValidationExamples}); build {fixture.BuildTime.TotalSeconds:0.0} s, train {fixture.TrainTime.TotalSeconds:0.0} s"));
        Print("model", result.Model);
        Print("recency baseline", result.Baseline);

        Assert.True(result.Model.Auc >= 0.85, $"model AUC {result.Model.Auc:0.000}");
        Assert.True(result.Model.Auc >= result.Baseline.Auc + 0.015, $"model AUC {result.Model.Auc:0.000} vs baseline {result.Baseline.Auc:0.000}");
        Assert.True(result.Model.PrAuc >= result.Baseline.PrAuc + 0.02, $"PR-AUC {result.Model.PrAuc:0.000} vs {result.Baseline.PrAuc:0.000}");
        Assert.True(result.Model.TopDecileLift > result.Baseline.TopDecileLift, "lift");
        Assert.True(result.Model.LogLoss < result.Baseline.LogLoss, "log-loss");
        Assert.True(result.BeatsBaseline);
    }

    /// <summary>Short histories drift: early cutoffs have few churners and nobody silent for
    /// long, the holdout many. Trees grown on the earliest three quarters of the training cutoffs
    /// only, 20 leaves of 20 examples, lost to recency here (AUC 0.809 vs 0.859, and 0.878 vs
    /// 0.883 on the README tour's seed).</summary>
    [Theory]
    [InlineData(7, 84)]
    [InlineData(42, 98)]
    public void Train_ShortSimulatedHistory_BeatsRecencyBaseline(int seed, int days)
    {
        var simulation = new ProductSimulation(new ProductSimulationOptions
        {
            Seed = seed,
            Users = 2_000,
            Days = days,
            Start = new DateOnly(2025, 1, 6),
        });
        var set = TrainingSetBuilder.Build(SimulatedHistories.Of(simulation), FixtureRules, new TrainingSetOptions());

        var result = ChurnTrainer.Train(set, new ChurnTrainingOptions());

        Print("model", result.Model);
        Print("recency baseline", result.Baseline);
        Assert.True(result.Model.Auc >= result.Baseline.Auc + 0.015, $"model AUC {result.Model.Auc:0.000} vs baseline {result.Baseline.Auc:0.000}");
        Assert.True(result.Model.LogLoss < result.Baseline.LogLoss, $"log-loss {result.Model.LogLoss:0.000} vs {result.Baseline.LogLoss:0.000}");
    }

    [Fact]
    public void Train_SimulatedProduct_ProbabilitiesAreCalibrated()
    {
        // Calibrated: in every well-filled bin, the observed churn rate is near the mean prediction.
        foreach (var bin in fixture.Result.Model.Calibration.Where(b => b.Count >= 200))
        {
            Assert.True(
                Math.Abs(bin.ObservedRate - bin.MeanPredicted) < 0.12,
                $"bin [{bin.Low:0.0}, {bin.High:0.0}): predicted {bin.MeanPredicted:0.000}, observed {bin.ObservedRate:0.000} of {bin.Count}");
        }

        Assert.True(fixture.Result.Model.Brier < fixture.Result.Baseline.Brier);
    }

    [Fact]
    public void Build_SimulatedProduct_SkipsCancelledUsersAndKeepsInactiveOnes()
    {
        var horizonMs = fixture.Set.HorizonDays * TimeBuckets.MsPerDay;
        var cancelled = fixture.Simulation.GroundTruth.Where(t => t.Cancelled).ToDictionary(t => t.UserId, t => t.ChurnedAt!.Value.ToUnixTimeMilliseconds());
        var inactiveKept = 0;
        foreach (var example in fixture.Set.Examples)
        {
            // A cancelling user's last event is the cancellation, on the day before ChurnedAt.
            if (cancelled.TryGetValue(example.UserId, out var churnedAt))
            {
                Assert.True(example.CutoffMs < churnedAt, $"{example.UserId} kept after cancelling");
            }

            if (example.Features[ChurnFeatures.RecencyIndex] > fixture.Set.HorizonDays)
            {
                inactiveKept++;
            }

            Assert.True(example.CutoffMs + horizonMs <= fixture.Set.DataToMs + TimeBuckets.MsPerDay);
        }

        Assert.True(inactiveKept > 100, $"{inactiveKept} long-inactive examples kept");
    }

    [Fact]
    public void Score_StillActiveUsers_RanksGroundTruthChurnersAboveRecency()
    {
        // Users seen in the last H days, three weeks before the end: which of them has the
        // simulator already made leave for good (churned by the definition: no activity in the
        // next H days)? Silence alone cannot tell a churner from a user on a break or a light
        // user; the decline before the silence tells the model.
        var scorer = ChurnScorer.Load(fixture.Result.ModelBytes);
        var asOf = fixture.Simulation.EndTime.AddDays(-21).ToUnixTimeMilliseconds();
        var model = new List<float>();
        var recency = new List<float>();
        var truth = new List<bool>();
        var explained = 0;
        foreach (var user in fixture.Histories)
        {
            var gt = fixture.Simulation.GetGroundTruth(user.UserId);
            if (TrainingSetBuilder.StatesAt(user, [asOf], FixtureRules)[0] is not { } state
                || scorer.FeaturesOf(state) is not { } features
                || features[ChurnFeatures.RecencyIndex] > FixtureRules.ChurnHorizonDays
                || gt.Cancelled && gt.ChurnedAt?.ToUnixTimeMilliseconds() <= asOf)
            {
                continue; // never active, long gone, or gone with an explicit cancellation
            }

            var churnsSoon = gt.ChurnedAt?.ToUnixTimeMilliseconds() <= asOf;
            var score = scorer.Score(features);
            model.Add(score.Probability);
            recency.Add(features[ChurnFeatures.RecencyIndex]);
            truth.Add(churnsSoon);
            if (churnsSoon && score.Reasons.Count > 0)
            {
                explained++;
                Assert.All(score.Reasons, r => Assert.True(r.Contribution > 0 && r.Text.Length > 0));
            }
        }

        var modelMetrics = ChurnMetrics.Compute(model, truth);
        var recencyMetrics = ChurnMetrics.Compute(recency, truth);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"users seen in the last H days: {truth.Count}, {modelMetrics.Positives} already gone for good; AUC model {modelMetrics.Auc:0.000} vs recency {recencyMetrics.Auc:0.000}; PR-AUC {modelMetrics.PrAuc:0.000} vs {recencyMetrics.PrAuc:0.000}; lift {modelMetrics.TopDecileLift:0.00} vs {recencyMetrics.TopDecileLift:0.00}"));
        Assert.True(modelMetrics.Positives > 30);
        Assert.True(modelMetrics.Auc >= 0.85, $"AUC {modelMetrics.Auc:0.000}");
        Assert.True(modelMetrics.Auc > recencyMetrics.Auc + 0.01, $"AUC {modelMetrics.Auc:0.000} vs recency {recencyMetrics.Auc:0.000}");
        Assert.True(modelMetrics.PrAuc > recencyMetrics.PrAuc + 0.05, $"PR-AUC {modelMetrics.PrAuc:0.000} vs recency {recencyMetrics.PrAuc:0.000}");
        Assert.True(explained > modelMetrics.Positives / 2, "most churners get reasons");
    }

    [Fact]
    public void Probability_SameFeatures_EqualsScoresProbability()
    {
        var scorer = ChurnScorer.Load(fixture.Result.ModelBytes);
        var features = fixture.Set.Examples.Take(200).Select(e => e.Features).ToList();

        foreach (var f in features)
        {
            Assert.Equal(scorer.Score(f).Probability, scorer.Probability(f), 6);
        }
    }

    private static TenantRules FixtureRules => SimulatedChurnFixture.Rules;

    private void Print(string name, ChurnMetrics m)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: AUC {m.Auc:0.000}, PR-AUC {m.PrAuc:0.000}, log-loss {m.LogLoss:0.000}, Brier {m.Brier:0.000}, top-decile lift {m.TopDecileLift:0.00} ({m.Positives}/{m.Examples} churned)"));
        foreach (var bin in m.Calibration)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  [{bin.Low:0.0}, {bin.High:0.0}) n={bin.Count} predicted {bin.MeanPredicted:0.000} observed {bin.ObservedRate:0.000}"));
        }
    }
}
