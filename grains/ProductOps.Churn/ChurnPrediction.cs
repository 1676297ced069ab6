using Microsoft.ML.Data;

namespace ProductOps.Churn;

/// <summary>The ML.NET output row of a scored user.</summary>
public sealed class ChurnPrediction
{
    public float Probability { get; set; }

    public float Score { get; set; }

    /// <summary>Each feature's contribution to the score (ML.NET feature contributions).</summary>
    public float[] FeatureContributions { get; set; } = [];
}
