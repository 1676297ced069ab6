using ProductOps.Churn;
using ProductOps.Grains.Abstractions.Training;

namespace ProductOps.Grains;

/// <summary>Registry records into the records grains exchange (which carry no ML.NET types).</summary>
internal static class ModelSummaryMapper
{
    public static ModelSummary ToSummary(ChurnModelInfo info) => new(
        info.Version,
        info.CreatedAtMs,
        info.Trainer,
        info.Parameters,
        info.DataFromMs,
        info.DataToMs,
        info.HorizonDays,
        ToMetrics(info.Model),
        ToMetrics(info.Baseline),
        info.TrainExamples,
        info.ValidationExamples,
        info.IsActive,
        info.BeatsBaseline);

    private static ModelMetrics ToMetrics(ChurnMetrics metrics) => new(
        metrics.Auc,
        metrics.PrAuc,
        metrics.LogLoss,
        metrics.Brier,
        metrics.TopDecileLift,
        metrics.Examples,
        metrics.Positives,
        [.. metrics.Calibration.Select(b => new CalibrationBucket(b.Low, b.High, b.Count, b.MeanPredicted, b.ObservedRate))]);
}
