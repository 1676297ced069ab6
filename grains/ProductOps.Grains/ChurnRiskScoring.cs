using ProductOps.Churn;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>Scores one user with a tenant's model from the very features the training-set
/// builder computes. Explanations cost ten times a probability, so they are only computed for
/// users at or above <c>explainFrom</c>.</summary>
internal static class ChurnRiskScoring
{
    public static ChurnRisk Score(ActiveModel model, UserActivity activity, long asOfMs, double explainFrom)
    {
        var features = model.Scorer.FeaturesOf(activity, asOfMs);
        var probability = model.Scorer.Probability(features);
        if (probability < explainFrom)
        {
            return new ChurnRisk(probability, model.Version, asOfMs, []);
        }

        var score = model.Scorer.Score(features);
        return new ChurnRisk(score.Probability, model.Version, asOfMs, [.. score.Reasons.Select(r => r.Text)]);
    }

    /// <summary>When the user cancelled: their latest churn event, if no other usage is later (the
    /// rule by which <see cref="UserActivity.LifecycleAt"/> calls a user churned whatever the
    /// time). Null for everyone else. Such a user is not scored: training leaves out users who
    /// sent a churn event before the cutoff, so the model never learnt anything of them.</summary>
    public static long? CancelledAtMs(UserActivity activity) =>
        activity.LastChurnEventMs is { } cancelledAt && cancelledAt >= (activity.LastEngagedMs ?? long.MinValue) ? cancelledAt : null;
}
