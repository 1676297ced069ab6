namespace ProductOps.Grains.Abstractions.Training;

/// <summary>How a training decided whether its model becomes active, with the figures.</summary>
/// <param name="Decision">What was decided.</param>
/// <param name="Reason">The decision in words, with the figures compared.</param>
/// <param name="ModelAuc">The new model's holdout AUC.</param>
/// <param name="BaselineAuc">The recency baseline's AUC on the same holdout.</param>
/// <param name="ActiveVersion">The model active when the job compared; null when none was.</param>
/// <param name="ActiveAuc">That model's AUC on the same holdout; null when none was active or it could not be judged.</param>
/// <param name="ActiveNotEvaluated">Why the active model could not be judged; empty otherwise.</param>
/// <param name="Hold">The operator's hold on automatic activation when the job decided, if any
/// (it stops scheduled trainings only).</param>
[GenerateSerializer, Immutable, Alias("productops.activation-check")]
public sealed record ActivationCheck(
    [property: Id(0)] ActivationDecision Decision,
    [property: Id(1)] string Reason,
    [property: Id(2)] double ModelAuc,
    [property: Id(3)] double BaselineAuc,
    [property: Id(4)] int? ActiveVersion,
    [property: Id(5)] double? ActiveAuc,
    [property: Id(6)] string ActiveNotEvaluated,
    [property: Id(7)] AutoActivationHold? Hold);
