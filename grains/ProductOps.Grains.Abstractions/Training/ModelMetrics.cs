namespace ProductOps.Grains.Abstractions.Training;

/// <summary>Holdout metrics of a model (see ProductOps.Churn.ChurnMetrics).</summary>
[GenerateSerializer, Immutable, Alias("productops.model-metrics")]
public sealed record ModelMetrics(
    [property: Id(0)] double Auc,
    [property: Id(1)] double PrAuc,
    [property: Id(2)] double LogLoss,
    [property: Id(3)] double Brier,
    [property: Id(4)] double TopDecileLift,
    [property: Id(5)] int Examples,
    [property: Id(6)] int Positives,
    [property: Id(7)] IReadOnlyList<CalibrationBucket> Calibration);
