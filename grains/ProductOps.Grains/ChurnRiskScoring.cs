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
}
