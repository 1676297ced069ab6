using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>Prints models: one line each in a list, or one model against the recency baseline.</summary>
internal static class ModelPrinter
{
    public static void PrintList(IReadOnlyList<ModelInfo> models, TextWriter output)
    {
        if (models.Count == 0)
        {
            output.WriteLine("No models yet: run 'productops train'.");
            return;
        }

        var table = new TextTable("version", "active", "created", "horizon", "examples", "AUC", "baseline AUC", "beats baseline");
        foreach (var model in models)
        {
            table.AddRow(
                model.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                model.Active ? "*" : string.Empty,
                CliFormat.Time(model.CreatedAt),
                $"{model.HorizonDays} d",
                CliFormat.Count(model.TrainExamples + model.ValidationExamples),
                CliFormat.Decimal(model.Metrics.Auc, 3),
                CliFormat.Decimal(model.BaselineMetrics.Auc, 3),
                model.BeatsBaseline ? "yes" : "no");
        }

        table.Write(output);
    }

    public static void PrintDetail(ModelInfo model, TextWriter output)
    {
        output.WriteLine($"Model {model.Version}{(model.Active ? " (active)" : string.Empty)}: {model.Trainer}, created {CliFormat.Time(model.CreatedAt)}");
        output.WriteLine($"  data          {CliFormat.Day(model.DataFrom)} to {CliFormat.Day(model.DataTo)}, horizon {model.HorizonDays} days");
        output.WriteLine($"  examples      {CliFormat.Count(model.TrainExamples)} trained on, {CliFormat.Count(model.ValidationExamples)} held out");
        output.WriteLine();
        var metrics = new TextTable("holdout", "AUC", "PR-AUC", "log-loss", "Brier", "top-decile lift");
        AddMetrics(metrics, "model", model.Metrics);
        AddMetrics(metrics, "recency baseline", model.BaselineMetrics);
        metrics.Write(output);
        output.WriteLine();
        output.WriteLine(model.BeatsBaseline
            ? "The model beats the recency baseline (AUC)."
            : "The model does not beat the recency baseline (AUC): a training does not activate it.");
    }

    private static void AddMetrics(TextTable table, string name, ModelMetrics metrics) => table.AddRow(
        name,
        CliFormat.Decimal(metrics.Auc, 3),
        CliFormat.Decimal(metrics.PrAuc, 3),
        CliFormat.Decimal(metrics.LogLoss, 3),
        CliFormat.Decimal(metrics.Brier, 3),
        CliFormat.Decimal(metrics.TopDecileLift, 2));
}
