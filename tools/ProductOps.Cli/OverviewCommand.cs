using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>`overview`: the tenant's daily activity, totals, ingestion counters and freshness.</summary>
internal sealed class OverviewCommand : ICliCommand
{
    public string Name => "overview";

    public string Summary => "Show the tenant overview: DAU/WAU/MAU per day, totals, ingestion counters, freshness, churn counts.";

    public string Usage => "overview [--from DATE] [--to DATE] [--watch] [options]";

    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("from", "DATE", "Start of the range, yyyy-MM-dd (UTC days). Default: 30 days before --to."),
        new("to", "DATE", "End of the range, exclusive, yyyy-MM-dd. Default: 30 days after --from if given, else the end of the tenant clock's day."),
        LiveView.Watch,
        Connection.Address,
        Connection.ReadKey,
    ];

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        arguments.ExpectNoPositionals();
        var request = new GetOverviewRequest
        {
            From = arguments.GetTimestamp("from"),
            To = arguments.GetTimestamp("to"),
        };
        await using var client = Connection.ForQueries(arguments);
        if (arguments.Has(LiveView.Watch.Name))
        {
            return await LiveView.PrintAsync(
                place => client.Query.WatchOverview(new WatchOverviewRequest { View = request, ResumeToken = place }, cancellationToken: cancellationToken),
                view => view.ResumeToken,
                OverviewPrinter.Print,
                cancellationToken);
        }

        var view = await client.Query.GetOverviewAsync(request, cancellationToken: cancellationToken);
        OverviewPrinter.Print(view, Console.Out);
        return CliApp.Ok;
    }
}
