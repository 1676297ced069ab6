namespace ProductOps.Churn;

/// <summary>A model in the registry: everything about it except its bytes.</summary>
/// <param name="Tenant">The tenant it was trained for.</param>
/// <param name="Version">1, 2, 3... per tenant, in the order models were stored.</param>
/// <param name="CreatedAtMs">When it was stored (Unix ms).</param>
/// <param name="Trainer">The trainer, e.g. FastTree.</param>
/// <param name="Parameters">The trainer's parameters.</param>
/// <param name="DataFromMs">The earliest event time the training data saw.</param>
/// <param name="DataToMs">The latest event time the training data saw.</param>
/// <param name="HorizonDays">The churn horizon H the labels used.</param>
/// <param name="Model">Holdout metrics of the model.</param>
/// <param name="Baseline">Holdout metrics of the recency-only baseline.</param>
/// <param name="TrainExamples">Examples trained on.</param>
/// <param name="ValidationExamples">Examples held out.</param>
/// <param name="IsActive">Whether it is the tenant's active model.</param>
public sealed record ChurnModelInfo(
    string Tenant,
    int Version,
    long CreatedAtMs,
    string Trainer,
    IReadOnlyDictionary<string, string> Parameters,
    long DataFromMs,
    long DataToMs,
    int HorizonDays,
    ChurnMetrics Model,
    ChurnMetrics Baseline,
    int TrainExamples,
    int ValidationExamples,
    bool IsActive)
{
    /// <summary>Whether the model ranks better than the recency baseline.</summary>
    public bool BeatsBaseline => Model.Beats(Baseline);
}
