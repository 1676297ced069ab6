using ProductOps.Domain;

namespace ProductOps.Churn.Tests;

/// <summary>Whether a new model replaces the active one: the active model judged on the new
/// model's holdout with the same features, and the decision with its figures.</summary>
[Collection(SimulatedChurnCollection.Name)]
public sealed class ModelActivationPolicyTests(SimulatedChurnFixture fixture)
{
    private static readonly ActivationHold Hold = new(1, new DateTimeOffset(2025, 5, 1, 9, 30, 0, TimeSpan.Zero).ToUnixTimeMilliseconds());

    [Fact]
    public void EvaluateActive_TheSameModel_ScoresExactlyItsOwnHoldoutMetrics()
    {
        var active = ModelInfoJson.Describe("acme", 1, fixture.Result, fixture.Set, 0);

        var judged = ModelActivationPolicy.EvaluateActive(active, fixture.Result.ModelBytes, fixture.Set, fixture.Result.ValidationFromMs);

        Assert.Equal(string.Empty, judged.NotEvaluatedReason);
        Assert.NotNull(judged.Metrics);
        Assert.Equal(fixture.Result.ValidationExamples, judged.Metrics.Examples);
        Assert.Equal(fixture.Result.Model.Auc, judged.Metrics.Auc);
        Assert.Equal(fixture.Result.Model.LogLoss, judged.Metrics.LogLoss, 9);
    }

    [Fact]
    public void EvaluateActive_HoldoutWithOtherTraitSlots_EncodesTraitsAsTheActiveModelWasTrained()
    {
        // A newer training chose its trait slots in another order: the same examples, other vectors.
        var slots = ChurnScorer.Load(fixture.Result.ModelBytes).Traits.Slots;
        Assert.True(slots.Count >= 2, "the simulation should give the model trait slots");
        var reordered = new TraitSlots([.. slots.Reverse()]);
        var examples = fixture.Set.Examples.Select(e =>
        {
            var features = (float[])e.Features.Clone();
            reordered.Encode(e.Traits, features.AsSpan(ChurnFeatures.BehaviourCount));
            return e with { Features = features };
        }).ToList();
        var newer = fixture.Set with { Examples = examples };
        var active = ModelInfoJson.Describe("acme", 1, fixture.Result, fixture.Set, 0);

        var judged = ModelActivationPolicy.EvaluateActive(active, fixture.Result.ModelBytes, newer, fixture.Result.ValidationFromMs);

        Assert.Equal(fixture.Result.Model.Auc, judged.Metrics!.Auc);
        // The vectors as the newer set holds them would have judged the model differently.
        var scorer = ChurnScorer.Load(fixture.Result.ModelBytes);
        var holdout = ChurnTrainer.Holdout(newer, fixture.Result.ValidationFromMs);
        var asHeld = ChurnMetrics.Compute(scorer.Probabilities([.. holdout.Select(e => e.Features)]), [.. holdout.Select(e => e.Churned)]);
        Assert.NotEqual(fixture.Result.Model.Auc, asHeld.Auc);
    }

    [Fact]
    public void EvaluateActive_TrainedOnOtherFeatures_NotJudgedAndSaysWhy()
    {
        var parameters = new Dictionary<string, string>(fixture.Result.Parameters) { [ChurnTrainer.FeaturesParameter] = "tenure_days,recency_days" };
        var active = ModelInfoJson.Describe("acme", 3, fixture.Result with { Parameters = parameters }, fixture.Set, 0);

        var judged = ModelActivationPolicy.EvaluateActive(active, fixture.Result.ModelBytes, fixture.Set, fixture.Result.ValidationFromMs);

        Assert.Null(judged.Metrics);
        Assert.Equal(3, judged.Version);
        Assert.Equal("it was trained on other features than this version computes", judged.NotEvaluatedReason);
    }

    [Fact]
    public void EvaluateActive_DamagedModel_NotJudgedAndSaysWhy()
    {
        var active = ModelInfoJson.Describe("acme", 2, fixture.Result, fixture.Set, 0);
        byte[] damaged = [.. "POCM"u8, 9, 0, 0, 0, 0];

        var judged = ModelActivationPolicy.EvaluateActive(active, damaged, fixture.Set, fixture.Result.ValidationFromMs);

        Assert.Null(judged.Metrics);
        Assert.StartsWith("it could not score the holdout: A churn model package of an unknown format", judged.NotEvaluatedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_NoActiveModelAndBeatsBaseline_ActivatesSayingNoneWasActive()
    {
        var verdict = ModelActivationPolicy.Decide(Candidate(0.86, 0.81), active: null, hold: null);

        Assert.Equal(ActivationOutcome.Activate, verdict.Outcome);
        Assert.Equal("activated: holdout AUC 0.860 beats the recency baseline's 0.810 (1,200 held-out examples); no model was active", verdict.Reason);
    }

    [Fact]
    public void Decide_BeatsBaselineAndTheActiveModel_ActivatesWithBothFigures()
    {
        var verdict = ModelActivationPolicy.Decide(Candidate(0.86, 0.81), Judged(4, 0.84), hold: null);

        Assert.True(verdict.Activate);
        Assert.Equal("activated: holdout AUC 0.860 beats the recency baseline's 0.810 and active version 4's 0.840 on the same 1,200 held-out examples", verdict.Reason);
    }

    [Fact]
    public void Decide_BeatsBaselineButNotTheActiveModel_NotActivatedWithBothFigures()
    {
        var verdict = ModelActivationPolicy.Decide(Candidate(0.86, 0.81), Judged(4, 0.88), hold: null);

        Assert.Equal(ActivationOutcome.NotBetterThanActive, verdict.Outcome);
        Assert.Equal("not activated: holdout AUC 0.860 does not beat active version 4's 0.880 on the same 1,200 held-out examples (the recency baseline's: 0.810)", verdict.Reason);
    }

    [Fact]
    public void Decide_TiesTheActiveModel_KeepsTheActiveOne()
    {
        var verdict = ModelActivationPolicy.Decide(Candidate(0.86, 0.81), Judged(4, 0.86), hold: null);

        Assert.Equal(ActivationOutcome.NotBetterThanActive, verdict.Outcome);
    }

    [Fact]
    public void Decide_ActiveModelNotJudged_BaselineDecidesAndTheReasonSaysWhy()
    {
        var active = ActiveModelEvaluation.NotEvaluated(4, "it was trained on other features than this version computes");

        var verdict = ModelActivationPolicy.Decide(Candidate(0.86, 0.81), active, hold: null);

        Assert.True(verdict.Activate);
        Assert.Equal(
            "activated: holdout AUC 0.860 beats the recency baseline's 0.810 (1,200 held-out examples); active version 4 could not be judged on them (it was trained on other features than this version computes), so the baseline decided",
            verdict.Reason);
    }

    [Fact]
    public void Decide_ActiveModelGaveNoProbabilities_NotJudgedSoTheBaselineDecides()
    {
        // An active model whose holdout AUC is NaN (some probability NaN) beats nothing, and no
        // new model may lose to it either.
        var verdict = ModelActivationPolicy.Decide(Candidate(0.86, 0.81), Judged(4, double.NaN), hold: null);

        Assert.True(verdict.Activate);
        Assert.Equal(
            "activated: holdout AUC 0.860 beats the recency baseline's 0.810 (1,200 held-out examples); active version 4 could not be judged on them (it gave no probability for some of them), so the baseline decided",
            verdict.Reason);
    }

    [Theory]
    [InlineData(double.NaN, 0.81)]
    [InlineData(0.86, double.NaN)]
    [InlineData(0.81, 0.81)]
    public void Decide_NaNOrTieAgainstTheBaseline_NotActivated(double auc, double baselineAuc)
    {
        var verdict = ModelActivationPolicy.Decide(Candidate(auc, baselineAuc), active: null, hold: null);

        Assert.Equal(ActivationOutcome.NotBetterThanBaseline, verdict.Outcome);
    }

    /// <summary>A gain below a thousandth of AUC (the figures' printed precision), from floating
    /// noise up to a few pairs of examples ranked the other way, is no gain.</summary>
    [Theory]
    [InlineData(0.81 + 1e-12)]
    [InlineData(0.8101)]
    [InlineData(0.8109)]
    public void Decide_NearTieWithTheBaseline_NotActivated(double auc)
    {
        var verdict = ModelActivationPolicy.Decide(Candidate(auc, 0.81), active: null, hold: null);

        Assert.Equal(ActivationOutcome.NotBetterThanBaseline, verdict.Outcome);
    }

    [Fact]
    public void Decide_NearTieWithTheBaseline_SaysTheGainIsTooSmall()
    {
        var verdict = ModelActivationPolicy.Decide(Candidate(0.8105, 0.81), active: null, hold: null);

        Assert.Equal("not activated: holdout AUC 0.8105 is above the recency baseline's 0.8100 by less than 0.001 (1,200 held-out examples)", verdict.Reason);
    }

    [Fact]
    public void Decide_NearTieWithTheActiveModel_KeepsTheActiveOne()
    {
        var verdict = ModelActivationPolicy.Decide(Candidate(0.8605, 0.81), Judged(4, 0.86), hold: null);

        Assert.Equal(ActivationOutcome.NotBetterThanActive, verdict.Outcome);
        Assert.Equal("not activated: holdout AUC 0.8605 is above active version 4's 0.8600 by less than 0.001 on the same 1,200 held-out examples (the recency baseline's: 0.810)", verdict.Reason);
    }

    [Fact]
    public void Decide_AThousandthAndMoreAboveTheBaseline_Activates()
    {
        var verdict = ModelActivationPolicy.Decide(Candidate(0.8112, 0.81), active: null, hold: null);

        Assert.Equal(ActivationOutcome.Activate, verdict.Outcome);
    }

    [Fact]
    public void Decide_NotBetterThanBaseline_NotActivatedEvenWithoutAnActiveModel()
    {
        var verdict = ModelActivationPolicy.Decide(Candidate(0.80, 0.81), Judged(4, 0.70), hold: null);

        Assert.Equal(ActivationOutcome.NotBetterThanBaseline, verdict.Outcome);
        Assert.Equal("not activated: holdout AUC 0.800 does not beat the recency baseline's 0.810 (1,200 held-out examples); active version 4 scores 0.700 on them", verdict.Reason);
    }

    [Fact]
    public void Decide_WinsWhileHeld_HeldNamingTheVersionActivatedByHand()
    {
        var verdict = ModelActivationPolicy.Decide(Candidate(0.86, 0.81), Judged(1, 0.84), Hold);

        Assert.Equal(ActivationOutcome.Held, verdict.Outcome);
        Assert.False(verdict.Activate);
        Assert.StartsWith("not activated: it would have been (holdout AUC 0.860 beats the recency baseline's 0.810 and active version 1's 0.840", verdict.Reason, StringComparison.Ordinal);
        Assert.Contains("automatic activation is held since version 1 was activated by hand (2025-05-01 09:30 UTC)", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_LosesWhileHeld_ReportsTheLoss()
    {
        var verdict = ModelActivationPolicy.Decide(Candidate(0.83, 0.81), Judged(1, 0.84), Hold);

        Assert.Equal(ActivationOutcome.NotBetterThanActive, verdict.Outcome);
    }

    private static ChurnTrainingResult Candidate(double auc, double baselineAuc) =>
        new([], ChurnTrainer.TrainerName, new Dictionary<string, string>(), Metrics(auc), Metrics(baselineAuc), 4_000, 1_200, 0);

    private static ActiveModelEvaluation Judged(int version, double auc) => new(version, Metrics(auc), string.Empty);

    private static ChurnMetrics Metrics(double auc) => new(auc, 0.5, 0.4, 0.1, 2, 1_200, 300, []);
}
