using ProductOps.Domain;

namespace ProductOps.Churn;

/// <summary>One training example: a user's features (trait slots 0) and traits as of a cutoff and
/// whether they churned in [cutoff, cutoff + H): the cutoff's own instant is in the label window,
/// not the features.</summary>
public sealed record ChurnExample(string UserId, long CutoffMs, float[] Features, bool Churned, IReadOnlyDictionary<string, TraitValue> Traits);
