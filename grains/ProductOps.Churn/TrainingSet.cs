namespace ProductOps.Churn;

/// <summary>Examples for every cutoff, in cutoff order, and the range of event time they saw.</summary>
public sealed record TrainingSet(
    IReadOnlyList<ChurnExample> Examples,
    IReadOnlyList<long> CutoffsMs,
    long DataFromMs,
    long DataToMs,
    int HorizonDays);
