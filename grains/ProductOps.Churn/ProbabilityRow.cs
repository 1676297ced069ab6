namespace ProductOps.Churn;

/// <summary>Only the probability of a scored row.</summary>
internal sealed class ProbabilityRow
{
    public float Probability { get; set; }
}
