namespace ProductOps.Churn;

/// <summary>Whether a newly trained model becomes active, and why in words with the figures.</summary>
/// <param name="Outcome">The decision.</param>
/// <param name="Reason">The decision in words, e.g. "activated: holdout AUC 0.861 beats ...".</param>
/// <param name="Comparison">The figures that decided, without the verdict, for a caller that
/// reports what happened next (the activation failed, say).</param>
public sealed record ActivationVerdict(ActivationOutcome Outcome, string Reason, string Comparison)
{
    public bool Activate => Outcome == ActivationOutcome.Activate;
}
