namespace ProductOps.Churn;

/// <summary>A trained model and how it and the recency baseline did on the time-split holdout.</summary>
/// <param name="ModelBytes">The model with its trait slots (<see cref="ChurnModelPackage"/>), loadable by <see cref="ChurnScorer"/>.</param>
/// <param name="Trainer">The trainer's name.</param>
/// <param name="Parameters">The trainer's parameters, as "name=value" pairs.</param>
/// <param name="Model">Holdout metrics of the model.</param>
/// <param name="Baseline">Holdout metrics of a logistic regression on recency alone.</param>
/// <param name="TrainExamples">Examples trained on.</param>
/// <param name="ValidationExamples">Examples held out.</param>
/// <param name="ValidationFromMs">The first held-out cutoff.</param>
public sealed record ChurnTrainingResult(
    byte[] ModelBytes,
    string Trainer,
    IReadOnlyDictionary<string, string> Parameters,
    ChurnMetrics Model,
    ChurnMetrics Baseline,
    int TrainExamples,
    int ValidationExamples,
    long ValidationFromMs)
{
    /// <summary>Whether the model ranks better than recency alone: needed, not enough, for it to be
    /// activated (<see cref="ModelActivationPolicy"/>).</summary>
    public bool BeatsBaseline => Model.Beats(Baseline);
}
