namespace ProductOps.Bench;

/// <summary>One of the targets and what this run measured against it.</summary>
internal sealed record TargetCheck(string Figure, string Target, double? Measured, string Unit, bool HigherIsBetter, double Threshold)
{
    public bool? Met => Measured is { } m ? (HigherIsBetter ? m >= Threshold : m <= Threshold) : null;
}
