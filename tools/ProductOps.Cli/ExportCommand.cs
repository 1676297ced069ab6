using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>`export`: every user's current prediction as CSV, for a spreadsheet or a CRM.</summary>
internal sealed class ExportCommand : ICliCommand
{
    public string Name => "export";

    public string Summary => "Write every user's current churn prediction as CSV (dormant and cancelled users included).";

    public string Usage => "export [options] > predictions.csv";

    public IReadOnlyList<CliOption> Options { get; } = [Connection.Address, Connection.ReadKey];

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        arguments.ExpectNoPositionals();
        await using var client = Connection.ForQueries(arguments);
        using var call = client.Query.ExportPredictions(new ExportPredictionsRequest(), cancellationToken: cancellationToken);
        var output = Console.Out;
        output.WriteLine("user_id,probability,at_risk,model_version,scored_at,cancelled_at,reasons");
        long users = 0, atRisk = 0, cancelled = 0;
        await foreach (var view in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            output.WriteLine(string.Join(',',
                Csv(view.UserId),
                view.HasProbability ? view.Probability.ToString("0.######", CultureInfo.InvariantCulture) : string.Empty,
                view.AtRisk ? "true" : "false",
                view.HasProbability ? view.ModelVersion.ToString(CultureInfo.InvariantCulture) : string.Empty,
                Iso(view.ScoredAt),
                Iso(view.CancelledAt),
                Csv(string.Join("; ", view.Reasons))));
            users++;
            atRisk += view.AtRisk ? 1 : 0;
            cancelled += view.CancelledAt is null ? 0 : 1;
        }

        await Console.Error.WriteLineAsync($"Exported {CliFormat.Count(users)} users: {CliFormat.Count(atRisk)} at risk, "
            + $"{CliFormat.Count(cancelled)} cancelled (not scored).");
        return CliApp.Ok;
    }

    private static string Iso(Timestamp? time) =>
        time is null ? string.Empty : time.ToDateTimeOffset().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.</summary>
    private static string Csv(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
