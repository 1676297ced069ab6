using ProductOps.Domain;

namespace ProductOps.Churn;

/// <summary>A user's behaviour features and traits as of one training cutoff.</summary>
public sealed record UserAtCutoff(float[] Features, IReadOnlyDictionary<string, TraitValue> Traits);
