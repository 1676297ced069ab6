using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>`feature &lt;name&gt;`: a feature's adoption, feedback and daily (or hourly) series.</summary>
internal sealed class FeatureCommand : ICliCommand
{
    public string Name => "feature";

    public string Summary => "Show one feature: adopters, adoption rates, feedback and its daily series.";

    public string Usage => "feature <name> [--from DATE] [--to DATE] [--hourly] [--watch] [options]";

    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("from", "DATE", "Start of the range, yyyy-MM-dd or an ISO 8601 time. Default: 30 days before --to."),
        new("to", "DATE", "End of the range, exclusive. Default: 30 days after --from if given, else the end of the tenant clock's day. A range inside a day or hour gets the whole day or hour."),
        new("hourly", null, "Print the hourly series (ranges up to 31 days) instead of the daily one."),
        LiveView.Watch,
        Connection.Address,
        Connection.ReadKey,
    ];

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        var request = new GetFeatureRequest
        {
            Feature = arguments.GetSinglePositional("feature name"),
            From = arguments.GetTimestamp("from"),
            To = arguments.GetTimestamp("to"),
        };
        var hourly = arguments.Has("hourly");
        await using var client = Connection.ForQueries(arguments);
        if (arguments.Has(LiveView.Watch.Name))
        {
            return await LiveView.PrintAsync(
                place => client.Query.WatchFeature(new WatchFeatureRequest { View = request, ResumeToken = place }, cancellationToken: cancellationToken),
                view => view.ResumeToken,
                (view, output) => Print(view, hourly, output),
                cancellationToken);
        }

        var view = await client.Query.GetFeatureAsync(request, cancellationToken: cancellationToken);
        Print(view, hourly, Console.Out);
        return CliApp.Ok;
    }

    private static void Print(FeatureView view, bool hourly, TextWriter output)
    {
        output.WriteLine($"Feature {view.Feature} (as of {CliFormat.Time(view.AsOf)})");
        output.WriteLine($"  adopters     {CliFormat.Count(view.AdoptersAllTime)}");
        output.WriteLine($"  events       {CliFormat.Count(view.EventsAllTime)}");
        if (view.Adoption is { } adoption)
        {
            output.WriteLine($"  adoption     1d {CliFormat.Rate(adoption.Day1)} · 7d {CliFormat.Rate(adoption.Day7)}"
                + $" · 30d {CliFormat.Rate(adoption.Day30)}");
        }

        output.WriteLine($"  feedback     {CliFormat.Count(view.FeedbackCount)} scores, mean "
            + CliFormat.Mean(view.FeedbackMean, view.FeedbackCount));
        output.WriteLine();

        var series = hourly ? view.Hourly : view.Daily;
        if (series.Count == 0)
        {
            output.WriteLine(hourly ? "  No hourly series (empty, or the range is over 31 days)." : "  No activity in the range.");
            return;
        }

        var table = new TextTable(hourly ? "hour (UTC)" : "day", "events", "users", "new adopters", "value",
            "feedback", "mean score");
        foreach (var point in series)
        {
            table.AddRow(
                hourly ? CliFormat.Hour(point.BucketStart) : CliFormat.Day(point.BucketStart),
                CliFormat.Count(point.Events),
                CliFormat.Count(point.DistinctUsers),
                CliFormat.Count(point.NewAdopters),
                CliFormat.Decimal(point.ValueSum),
                CliFormat.Count(point.FeedbackCount),
                CliFormat.Mean(point.FeedbackMean, point.FeedbackCount));
        }

        table.Write(output);
    }
}
