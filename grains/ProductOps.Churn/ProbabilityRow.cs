namespace ProductOps.Churn;

/// <summary>Only the probability of a scored row (ML.NET output row).</summary>
public sealed class ProbabilityRow
{
    public float Probability { get; set; }
}
