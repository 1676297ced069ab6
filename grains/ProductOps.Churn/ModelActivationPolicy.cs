using System.Globalization;

namespace ProductOps.Churn;

/// <summary>
/// Decides whether a newly trained model replaces the tenant's active one. It must beat the
/// recency baseline and the active model by <see cref="ChurnMetrics.MinAucGain"/> of AUC at least
/// (a near-tie keeps what is there), both judged on the new model's own holdout (the
/// latest cutoffs, which neither saw in training), so a retrain never replaces a better model
/// and the figures compared are like for like. A scheduled training also leaves alone a model
/// an operator activated by hand (<see cref="ActivationHold"/>).
/// </summary>
public static class ModelActivationPolicy
{
    /// <summary>
    /// Scores the active model on the holdout of a new training: the same examples, whose
    /// behaviour features come from the one feature function at the same cutoffs, with the trait
    /// slots re-encoded as the active model was trained (each model chooses its own). A model
    /// trained on other behaviour features, or whose bytes cannot be loaded or score, is not
    /// judged and the reason says why.
    /// </summary>
    public static ActiveModelEvaluation EvaluateActive(ChurnModelInfo active, byte[]? modelBytes, TrainingSet set, long validationFromMs)
    {
        ArgumentNullException.ThrowIfNull(active);
        ArgumentNullException.ThrowIfNull(set);
        if (modelBytes is null)
        {
            return ActiveModelEvaluation.NotEvaluated(active.Version, "its model is missing from the registry");
        }

        if (!active.Parameters.TryGetValue(ChurnTrainer.FeaturesParameter, out var features))
        {
            return ActiveModelEvaluation.NotEvaluated(active.Version, "it does not record which features it was trained on");
        }

        if (!string.Equals(features, ChurnTrainer.BehaviourFeatureList, StringComparison.Ordinal))
        {
            return ActiveModelEvaluation.NotEvaluated(active.Version, "it was trained on other features than this version computes");
        }

        var holdout = ChurnTrainer.Holdout(set, validationFromMs);
        if (holdout.Count == 0)
        {
            return ActiveModelEvaluation.NotEvaluated(active.Version, "the holdout is empty");
        }

        ChurnScorer scorer;
        IReadOnlyList<float> probabilities;
        try
        {
            scorer = ChurnScorer.Load(modelBytes);
            probabilities = scorer.Probabilities([.. holdout.Select(e => scorer.FeaturesOf(new UserAtCutoff(e.Features, e.Traits)))]);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A damaged or foreign model: it cannot be judged, which is the answer, not a failure.
            // The tenant reads this: a damaged package says so in its own words, anything else is
            // named by its type only, since a message can carry what is not the tenant's to see.
            var why = e is InvalidDataException ? e.Message : e.GetType().Name;
            return ActiveModelEvaluation.NotEvaluated(active.Version, $"it could not score the holdout: {why}");
        }

        return new ActiveModelEvaluation(active.Version, ChurnMetrics.Compute(probabilities, [.. holdout.Select(e => e.Churned)]), string.Empty);
    }

    /// <summary>Decides for <paramref name="candidate"/>.</summary>
    /// <param name="candidate">The new model's training result (its and the baseline's holdout metrics).</param>
    /// <param name="active">The active model judged on the same holdout; null when none is active.</param>
    /// <param name="hold">An operator's hold that applies to this training (scheduled ones only); null when none.</param>
    public static ActivationVerdict Decide(ChurnTrainingResult candidate, ActiveModelEvaluation? active, ActivationHold? hold)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (active?.Metrics is { Auc: double.NaN })
        {
            // It beats nothing, and nothing could beat it: judged, it would block every retrain.
            active = ActiveModelEvaluation.NotEvaluated(active.Version, "it gave no probability for some of them");
        }

        var model = candidate.Model;
        var baseline = candidate.Baseline;
        var examples = N(candidate.ValidationExamples);
        if (!model.Beats(baseline))
        {
            var comparison = NotBetter(model, baseline, "the recency baseline's") + F($" ({examples} held-out examples)")
                + (active?.Metrics is { } m ? F($"; active version {active.Version} scores {m.Auc:0.000} on them") : string.Empty);
            return new ActivationVerdict(ActivationOutcome.NotBetterThanBaseline, $"not activated: {comparison}", comparison);
        }

        if (active?.Metrics is { } activeMetrics && !model.Beats(activeMetrics))
        {
            var comparison = NotBetter(model, activeMetrics, F($"active version {active.Version}'s"))
                + F($" on the same {examples} held-out examples (the recency baseline's: {baseline.Auc:0.000})");
            return new ActivationVerdict(ActivationOutcome.NotBetterThanActive, $"not activated: {comparison}", comparison);
        }

        var won = active switch
        {
            null => F($"holdout AUC {model.Auc:0.000} beats the recency baseline's {baseline.Auc:0.000} ({examples} held-out examples); no model was active"),
            { Metrics: { } m } => F($"holdout AUC {model.Auc:0.000} beats the recency baseline's {baseline.Auc:0.000} and active version {active.Version}'s {m.Auc:0.000} on the same {examples} held-out examples"),
            _ => F($"holdout AUC {model.Auc:0.000} beats the recency baseline's {baseline.Auc:0.000} ({examples} held-out examples); active version {active.Version} could not be judged on them ({active.NotEvaluatedReason}), so the baseline decided"),
        };
        if (hold is not null)
        {
            var since = DateTimeOffset.FromUnixTimeMilliseconds(hold.SinceMs).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
            return new ActivationVerdict(
                ActivationOutcome.Held,
                F($"not activated: it would have been ({won}), but automatic activation is held since version {hold.Version} was activated by hand ({since}); a training started with resume_auto_activation lifts the hold"),
                won);
        }

        return new ActivationVerdict(ActivationOutcome.Activate, $"activated: {won}", won);
    }

    /// <summary>Why <paramref name="model"/> does not beat <paramref name="other"/>; a gain below
    /// <see cref="ChurnMetrics.MinAucGain"/> is shown with a fourth decimal, where it shows.</summary>
    private static string NotBetter(ChurnMetrics model, ChurnMetrics other, string whose) =>
        model.Auc > other.Auc
            ? F($"holdout AUC {model.Auc:0.0000} is above {whose} {other.Auc:0.0000} by less than {ChurnMetrics.MinAucGain}")
            : F($"holdout AUC {model.Auc:0.000} does not beat {whose} {other.Auc:0.000}");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string N(int count) => count.ToString("N0", CultureInfo.InvariantCulture);
}
