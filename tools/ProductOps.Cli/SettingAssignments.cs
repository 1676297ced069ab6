using System.Globalization;
using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>Reads `name=value` assignments into a partial settings update. Only the form is
/// checked here (numbers, known names); ranges are the server's to judge, by field.</summary>
internal static class SettingAssignments
{
    public const string Names = "clock (wall|event), churn_horizon_days, churn_events (comma-separated; empty for none), training_interval_hours, alert_threshold, min_churned, min_retained";

    public static UpdateTenantSettingsRequest ToRequest(IReadOnlyList<string> assignments)
    {
        var request = new UpdateTenantSettingsRequest();
        foreach (var assignment in assignments)
        {
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliUsageException($"--set takes name=value, not '{assignment}'.");
            }

            var (name, value) = (assignment[..equals].Trim(), assignment[(equals + 1)..].Trim());
            switch (name)
            {
                case "clock":
                    request.Clock = value switch
                    {
                        "wall" => TenantClockKind.Wall,
                        "event" => TenantClockKind.Event,
                        _ => throw new CliUsageException($"clock is wall or event, not '{value}'."),
                    };
                    break;
                case "churn_horizon_days":
                    request.ChurnHorizonDays = Int(name, value);
                    break;
                case "churn_events":
                    request.ChurnEvents = new ChurnEventNames();
                    request.ChurnEvents.Names.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "training_interval_hours":
                    request.TrainingIntervalHours = Int(name, value);
                    break;
                case "alert_threshold":
                    request.AlertThreshold = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold)
                        ? threshold
                        : throw new CliUsageException($"alert_threshold is a number, not '{value}'.");
                    break;
                case "min_churned":
                    request.MinChurned = Int(name, value);
                    break;
                case "min_retained":
                    request.MinRetained = Int(name, value);
                    break;
                default:
                    throw new CliUsageException($"Unknown setting '{name}'; settings are {Names}.");
            }
        }

        return request;
    }

    private static int Int(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new CliUsageException($"{name} is a whole number, not '{value}'.");
}
