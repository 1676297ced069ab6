namespace ProductOps.Churn;

/// <summary>Examples for every cutoff, in cutoff order, and the range of event time they saw.
/// The examples' trait slots are 0: which traits fill them is the trainer's choice, from its
/// training rows, and each model keeps its own (<see cref="ChurnScorer.Traits"/>).</summary>
public sealed record TrainingSet(
    IReadOnlyList<ChurnExample> Examples,
    IReadOnlyList<long> CutoffsMs,
    long DataFromMs,
    long DataToMs,
    int HorizonDays);
