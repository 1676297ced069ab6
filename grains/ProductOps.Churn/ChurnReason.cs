namespace ProductOps.Churn;

/// <summary>A feature that pushed a user's churn score up, in plain words.</summary>
/// <param name="Feature">The feature's stable name.</param>
/// <param name="Value">The user's value of it.</param>
/// <param name="Contribution">How far it pushes the user's risk up: its contribution to the trees'
/// score (ML.NET feature contributions), signed so that positive raises the probability.</param>
/// <param name="Text">The feature and value in plain words, e.g. "no activity for 12 days".</param>
public sealed record ChurnReason(string Feature, float Value, float Contribution, string Text);
