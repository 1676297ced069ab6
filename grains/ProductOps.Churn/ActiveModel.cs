namespace ProductOps.Churn;

/// <summary>A tenant's active model, loaded and ready to score.</summary>
public sealed record ActiveModel(int Version, ChurnScorer Scorer);
