using System.Globalization;
using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>`at-risk`: the users most likely to churn, highest probability first, with reasons.</summary>
internal sealed class AtRiskCommand : ICliCommand
{
    private const int MaxPageSize = 1000;

    public string Name => "at-risk";

    public string Summary => "List the users at risk of churning, highest probability first, with the reasons.";

    public string Usage => "at-risk [--min-probability P] [--feature NAME] [--limit N] [options]";

    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("min-probability", "P", "Only users with at least this probability, 0-1. Default: the tenant's alert threshold."),
        new("feature", "NAME", "Only users who used this feature."),
        new("limit", "N", "Most users to list, 1-1000000.", "50"),
        Connection.Address,
        Connection.ReadKey,
    ];

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        arguments.ExpectNoPositionals();
        var limit = arguments.GetInt("limit", 1, 1_000_000);
        var request = new ListAtRiskUsersRequest { Feature = arguments.GetOptionalString("feature") ?? string.Empty };
        if (arguments.GetOptionalString("min-probability") is { } text)
        {
            // The server judges the range, naming the field; only the form is checked here.
            request.MinProbability = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var min)
                ? min
                : throw new CliUsageException($"--min-probability must be a number from 0 to 1, not '{text}'.");
        }

        await using var client = Connection.ForQueries(arguments);
        var users = new List<ChurnRiskView>();
        ListAtRiskUsersResponse page;
        do
        {
            request.PageSize = Math.Min(MaxPageSize, limit - users.Count);
            page = await client.Query.ListAtRiskUsersAsync(request, cancellationToken: cancellationToken);
            users.AddRange(page.Users);
            request.PageToken = page.NextPageToken;
        }
        while (page.NextPageToken.Length > 0 && users.Count < limit);

        Print(request, page, users, Console.Out);
        return CliApp.Ok;
    }

    private static void Print(ListAtRiskUsersRequest request, ListAtRiskUsersResponse last, List<ChurnRiskView> users, TextWriter output)
    {
        var floor = request.HasMinProbability
            ? $"probability at least {CliFormat.Rate(request.MinProbability)}"
            : $"probability at least the alert threshold, {CliFormat.Rate(last.AlertThreshold)}";
        var feature = request.Feature.Length > 0 ? $", who used {request.Feature}" : string.Empty;
        output.WriteLine($"Users at risk ({floor}{feature}), highest first");
        output.WriteLine();
        if (users.Count == 0)
        {
            output.WriteLine("  None.");
            return;
        }

        var table = new TextTable("user", "probability", "at risk", "scored at", "reasons");
        foreach (var user in users)
        {
            table.AddRow(user.UserId, ChurnFormat.Probability(user), user.AtRisk ? "yes" : "no", CliFormat.Time(user.ScoredAt),
                ChurnFormat.Reasons(user));
        }

        table.Write(output);
        if (last.NextPageToken.Length > 0)
        {
            output.WriteLine();
            output.WriteLine($"The first {CliFormat.Count(users.Count)} shown; more with a higher --limit.");
        }
    }
}
