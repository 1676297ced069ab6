using System.Globalization;
using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>`activate VERSION`: makes a stored model the active one (also to roll back), which
/// holds automatic activation by scheduled trainings.</summary>
internal sealed class ActivateCommand : ICliCommand
{
    public string Name => "activate";

    public string Summary => "Make a stored churn model the tenant's active one (an older version rolls back); scheduled trainings then stop activating models until 'train --resume-auto-activation'.";

    public string Usage => "activate <VERSION> [options]";

    public IReadOnlyList<CliOption> Options { get; } = [Connection.Address, AdminClient.Key];

    public static int ParseVersion(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? version
            : throw new CliUsageException($"A model version is a whole number from 1, not '{text}'.");

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        var version = ParseVersion(arguments.GetSinglePositional("model version"));
        using var client = AdminClient.From(arguments);
        var model = await client.Service.ActivateModelAsync(new ActivateModelRequest { Version = version }, cancellationToken: cancellationToken);
        Console.WriteLine($"Version {model.Version} is now active (AUC {CliFormat.Decimal(model.Metrics.Auc, 3)}, baseline {CliFormat.Decimal(model.BaselineMetrics.Auc, 3)}). Every silo scores with it within its model refresh interval.");
        Console.WriteLine("Automatic activation is now held: scheduled trainings store their models without activating them, until 'productops train --resume-auto-activation'.");
        return CliApp.Ok;
    }
}
