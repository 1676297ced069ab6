using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>Prints a tenant overview: totals, ingestion counters, freshness, churn counts and the daily activity.</summary>
internal static class OverviewPrinter
{
    public static void Print(OverviewView view, TextWriter output)
    {
        output.WriteLine($"Tenant overview as of {CliFormat.Time(view.AsOf)} ({view.Clock} clock)");
        output.WriteLine($"  users {CliFormat.Count(view.TotalUsers)} · events {CliFormat.Count(view.TotalEvents)}");
        if (view.Counters is { } counters)
        {
            output.WriteLine($"  ingested: accepted {CliFormat.Count(counters.Accepted)} · duplicates "
                + $"{CliFormat.Count(counters.Duplicates)} · rejected {CliFormat.Count(counters.Rejected)}");
        }

        if (view.Freshness is { } freshness)
        {
            var state = freshness.CaughtUp
                ? "caught up"
                : $"{CliFormat.Count(freshness.PendingEvents)} events pending · lag {CliFormat.Count(freshness.LagMs)} ms";
            output.WriteLine($"  freshness: {state} · last dispatch {CliFormat.Count(freshness.LastDispatchLagMs)} ms");
        }

        if (view.Churn is { } churn)
        {
            output.WriteLine(churn.ModelVersion == 0
                ? $"  churn: no active model yet ('productops train') · {CliFormat.Count(churn.Users)} users"
                : $"  churn: model version {churn.ModelVersion} · {CliFormat.Count(churn.AtRiskUsers)} at risk (alert threshold "
                    + $"{CliFormat.Rate(churn.AlertThreshold)}) · {CliFormat.Count(churn.ScoredUsers)} scored · "
                    + $"{CliFormat.Count(churn.CancelledUsers)} cancelled · {CliFormat.Count(churn.Users)} users");
        }

        output.WriteLine();
        var table = new TextTable("day", "DAU", "WAU", "MAU", "stickiness", "new users", "events");
        foreach (var day in view.Days)
        {
            table.AddRow(
                CliFormat.Day(day.Day),
                CliFormat.Count(day.Dau),
                CliFormat.Count(day.Wau),
                CliFormat.Count(day.Mau),
                CliFormat.Rate(day.Stickiness),
                CliFormat.Count(day.NewUsers),
                CliFormat.Count(day.Events));
        }

        if (table.RowCount == 0)
        {
            output.WriteLine("  No activity in the range.");
            return;
        }

        table.Write(output);
    }
}
