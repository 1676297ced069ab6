using ProductOps.Domain;

namespace ProductOps.Churn;

/// <summary>A user's behaviour features and traits as of one training cutoff.</summary>
/// <param name="Features">The feature vector (<see cref="ChurnFeatures.Compute"/>), trait slots 0.</param>
/// <param name="Traits">The user's traits at the cutoff.</param>
/// <param name="CancelledAtMs">The user's <see cref="UserActivity.CancelledAtMs"/> at the cutoff:
/// set, serving would not score them then, so they are no example.</param>
public sealed record UserAtCutoff(float[] Features, IReadOnlyDictionary<string, TraitValue> Traits, long? CancelledAtMs = null);
