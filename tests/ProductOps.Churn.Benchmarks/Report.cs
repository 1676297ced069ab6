using System.Globalization;
using ProductOps.Churn;

namespace ProductOps.Churn.Benchmarks;

internal static class Report
{
    public static void Line(FormattableString text) => Console.WriteLine(text.ToString(CultureInfo.InvariantCulture));

    public static void Metrics(string name, ChurnMetrics m) => Line(
        $"{name}: AUC {m.Auc:0.000}, PR-AUC {m.PrAuc:0.000}, log-loss {m.LogLoss:0.000}, Brier {m.Brier:0.000}, top-decile lift {m.TopDecileLift:0.00} ({m.Positives}/{m.Examples} churned)");
}
