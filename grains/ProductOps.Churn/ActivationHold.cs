namespace ProductOps.Churn;

/// <summary>An operator activated <paramref name="Version"/> by hand at <paramref name="SinceMs"/>
/// (Unix ms): scheduled trainings leave the active model alone until the hold is lifted.</summary>
public sealed record ActivationHold(int Version, long SinceMs);
