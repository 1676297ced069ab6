using ProductOps.Domain;

namespace ProductOps.Churn;

/// <summary>Examples for every cutoff, in cutoff order, and the range of event time they saw.</summary>
public sealed record TrainingSet(
    IReadOnlyList<ChurnExample> Examples,
    IReadOnlyList<long> CutoffsMs,
    long DataFromMs,
    long DataToMs,
    int HorizonDays)
{
    /// <summary>The traits the examples' trait slots encode (the model keeps them).</summary>
    public TraitSlots Traits { get; init; } = TraitSlots.None;
}
