namespace ProductOps.Churn;

/// <summary>The tenant's active model judged on a new training's holdout.</summary>
/// <param name="Version">The active version.</param>
/// <param name="Metrics">Its metrics on the new model's held-out examples; null when it could not be judged.</param>
/// <param name="NotEvaluatedReason">Why it could not be judged; empty when it was.</param>
public sealed record ActiveModelEvaluation(int Version, ChurnMetrics? Metrics, string NotEvaluatedReason)
{
    /// <summary>An active model that could not be judged, and why.</summary>
    public static ActiveModelEvaluation NotEvaluated(int version, string reason) => new(version, null, reason);
}
