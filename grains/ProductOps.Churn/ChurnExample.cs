using ProductOps.Domain;

namespace ProductOps.Churn;

/// <summary>One training example: a user's features and traits as of a cutoff and whether they
/// churned in (cutoff, cutoff + H].</summary>
public sealed record ChurnExample(string UserId, long CutoffMs, float[] Features, bool Churned, IReadOnlyDictionary<string, TraitValue> Traits);
