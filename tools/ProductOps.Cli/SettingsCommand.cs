using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>`settings [--set name=value ...]`: shows the tenant's settings, or changes some.</summary>
internal sealed class SettingsCommand : ICliCommand
{
    public string Name => "settings";

    public string Summary => "Show the tenant's churn and clock settings, or change some with --set name=value (repeatable).";

    public string Usage => "settings [--set name=value ...] [options]";

    public IReadOnlyList<CliOption> Options { get; } =
    [
        Connection.Address,
        AdminClient.Key,
        new("set", "NAME=VALUE", $"Change one setting; give --set once per setting. Names: {SettingAssignments.Names}."),
    ];

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        arguments.ExpectNoPositionals();
        using var client = AdminClient.From(arguments);
        var assignments = arguments.GetAll("set");
        var settings = assignments.Count == 0
            ? await client.Service.GetTenantSettingsAsync(new GetTenantSettingsRequest(), cancellationToken: cancellationToken)
            : await client.Service.UpdateTenantSettingsAsync(SettingAssignments.ToRequest(assignments), cancellationToken: cancellationToken);
        Print(settings, Console.Out);
        return CliApp.Ok;
    }

    private static void Print(TenantSettings settings, TextWriter output)
    {
        output.WriteLine($"Tenant {settings.Tenant}:");
        output.WriteLine($"  clock                    {(settings.Clock == TenantClockKind.Event ? "event" : "wall")}");
        output.WriteLine($"  churn_horizon_days       {settings.ChurnHorizonDays}");
        output.WriteLine($"  churn_events             {(settings.ChurnEvents.Names.Count == 0 ? "(none)" : string.Join(',', settings.ChurnEvents.Names))}");
        output.WriteLine($"  training_interval_hours  {settings.TrainingIntervalHours}{(settings.TrainingIntervalHours == 0 ? " (on demand only)" : string.Empty)}");
        output.WriteLine($"  alert_threshold          {CliFormat.Decimal(settings.AlertThreshold)}");
        output.WriteLine($"  min_churned              {settings.MinChurned}");
        output.WriteLine($"  min_retained             {settings.MinRetained}");
    }
}
