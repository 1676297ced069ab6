using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>`risk &lt;user&gt;`: one user's churn probability now, by the active model, and why.</summary>
internal sealed class RiskCommand : ICliCommand
{
    public string Name => "risk";

    public string Summary => "Show one user's churn risk now, scored by the active model, with the reasons.";

    public string Usage => "risk <user> [options]";

    public IReadOnlyList<CliOption> Options { get; } = [Connection.Address, Connection.ReadKey];

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        var userId = arguments.GetSinglePositional("user id");
        await using var client = Connection.ForQueries(arguments);
        var risk = await client.Query.GetChurnRiskAsync(new GetChurnRiskRequest { UserId = userId },
            cancellationToken: cancellationToken);
        Print(risk, Console.Out);
        return CliApp.Ok;
    }

    private static void Print(ChurnRiskView risk, TextWriter output)
    {
        output.WriteLine($"User {risk.UserId}: churn probability {ChurnFormat.Probability(risk)}, "
            + (risk.AtRisk ? "at risk" : "not at risk"));
        output.WriteLine($"  model      version {risk.ModelVersion}");
        output.WriteLine($"  scored at  {CliFormat.Time(risk.ScoredAt)} (the tenant clock)");
        if (risk.Reasons.Count == 0)
        {
            return;
        }

        output.WriteLine("  reasons    " + string.Join(Environment.NewLine + "             ", risk.Reasons));
    }
}
