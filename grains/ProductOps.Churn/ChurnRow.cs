using Microsoft.ML.Data;
using ProductOps.Domain;

namespace ProductOps.Churn;

/// <summary>The ML.NET input row: the feature vector, and the label when training.</summary>
public sealed class ChurnRow
{
    public bool Label { get; set; }

    [VectorType(ChurnFeatures.Count)]
    public float[] Features { get; set; } = new float[ChurnFeatures.Count];

    /// <summary>Recency alone, for the baseline model.</summary>
    [VectorType(1)]
    public float[] Recency { get; set; } = new float[1];

    public static ChurnRow Of(float[] features, bool label = false) => new()
    {
        Label = label,
        Features = features,
        Recency = [features[ChurnFeatures.RecencyIndex]],
    };
}
