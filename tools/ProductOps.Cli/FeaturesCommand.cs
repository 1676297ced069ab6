using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>`features`: every feature with adopters, adoption rates, events and feedback.</summary>
internal sealed class FeaturesCommand : ICliCommand
{
    private static readonly Dictionary<string, FeatureSort> Sorts = new(StringComparer.Ordinal)
    {
        ["adopters"] = FeatureSort.Adopters,
        ["adoption30"] = FeatureSort.Adoption30D,
        ["adoption7"] = FeatureSort.Adoption7D,
        ["events"] = FeatureSort.Events,
        ["feedback"] = FeatureSort.FeedbackMean,
        ["name"] = FeatureSort.Name,
    };

    public string Name => "features";

    public string Summary => "List the features with adopters, adoption rates, events and feedback.";

    public string Usage => "features [--sort KEY] [--asc] [--limit N] [options]";

    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("sort", "KEY", "adopters, adoption30, adoption7, events, feedback or name.", "adopters"),
        new("asc", null, "Sort ascending (default: descending)."),
        new("limit", "N", "Most features to list, 1-1000.", "1000"),
        Connection.Address,
        Connection.ReadKey,
    ];

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        arguments.ExpectNoPositionals();
        var sortName = arguments.GetString("sort");
        if (!Sorts.TryGetValue(sortName, out var sort))
        {
            throw new CliUsageException($"--sort must be one of {string.Join(", ", Sorts.Keys)}, not '{sortName}'.");
        }

        var request = new ListFeaturesRequest
        {
            SortBy = sort,
            Ascending = arguments.Has("asc"),
            Limit = arguments.GetInt("limit", 1, 1000),
        };
        await using var client = Connection.ForQueries(arguments);
        var response = await client.Query.ListFeaturesAsync(request, cancellationToken: cancellationToken);
        Print(response, Console.Out);
        return CliApp.Ok;
    }

    private static void Print(ListFeaturesResponse response, TextWriter output)
    {
        output.WriteLine($"Features (as of {CliFormat.Time(response.AsOf)})");
        output.WriteLine();
        if (response.Features.Count == 0)
        {
            output.WriteLine("  No features yet.");
            return;
        }

        var table = new TextTable("feature", "adopters", "1d", "7d", "30d", "events", "feedback", "mean score");
        foreach (var feature in response.Features)
        {
            var adoption = feature.Adoption ?? new AdoptionRates();
            table.AddRow(
                feature.Feature,
                CliFormat.Count(feature.AdoptersAllTime),
                CliFormat.Rate(adoption.Day1),
                CliFormat.Rate(adoption.Day7),
                CliFormat.Rate(adoption.Day30),
                CliFormat.Count(feature.EventsAllTime),
                CliFormat.Count(feature.FeedbackCount),
                CliFormat.Mean(feature.FeedbackMean, feature.FeedbackCount));
        }

        table.Write(output);
        if (response.TotalFeatures > response.Features.Count)
        {
            // A server of an earlier build sends no total (0): nothing to say then.
            output.WriteLine();
            output.WriteLine($"  Showing {CliFormat.Count(response.Features.Count)} of {CliFormat.Count(response.TotalFeatures)} features (--limit N, at most 1,000).");
        }
    }
}
