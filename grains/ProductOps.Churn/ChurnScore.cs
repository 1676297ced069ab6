namespace ProductOps.Churn;

/// <summary>One user's churn probability and why.</summary>
public sealed record ChurnScore(float Probability, IReadOnlyList<ChurnReason> Reasons);
