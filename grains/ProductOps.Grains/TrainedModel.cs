using ProductOps.Churn;

namespace ProductOps.Grains;

/// <summary>What a successful training stored: the model's version, its training result (its and
/// the recency baseline's holdout metrics), and the model active at the time judged on the same
/// holdout (null when none was active).</summary>
internal sealed record TrainedModel(int Version, ChurnTrainingResult Result, ActiveModelEvaluation? Active);
