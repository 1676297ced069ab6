using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>`models [VERSION]`: the tenant's models, or one model in detail.</summary>
internal sealed class ModelsCommand : ICliCommand
{
    public string Name => "models";

    public string Summary => "List the tenant's churn models (newest first), or show one with its metrics against the baseline.";

    public string Usage => "models [VERSION] [options]";

    public IReadOnlyList<CliOption> Options { get; } = [Connection.Address, AdminClient.Key];

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        using var client = AdminClient.From(arguments);
        if (arguments.Positionals.Count == 0)
        {
            var list = await client.Service.ListModelsAsync(new ListModelsRequest(), cancellationToken: cancellationToken);
            ModelPrinter.PrintList(list.Models, Console.Out);
            if (list.AutoActivation is { Held: true } hold)
            {
                Console.WriteLine();
                Console.WriteLine($"Automatic activation is held since version {hold.HeldVersion} was activated by hand ({CliFormat.Time(hold.HeldSince)}); 'train --resume-auto-activation' lifts it.");
            }

            return CliApp.Ok;
        }

        var version = ActivateCommand.ParseVersion(arguments.GetSinglePositional("model version"));
        ModelPrinter.PrintDetail(await client.Service.GetModelAsync(new GetModelRequest { Version = version }, cancellationToken: cancellationToken), Console.Out);
        return CliApp.Ok;
    }
}
