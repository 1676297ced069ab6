using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>`watch`: a line for every user who becomes at risk, until Ctrl+C.</summary>
internal sealed class WatchCommand : ICliCommand
{
    public string Name => "watch";

    public string Summary => "Print users as they become at risk of churning, live, until Ctrl+C.";

    public string Usage => "watch [options]";

    public IReadOnlyList<CliOption> Options { get; } = [Connection.Address, Connection.ReadKey];

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        arguments.ExpectNoPositionals();
        await using var client = Connection.ForQueries(arguments);
        using var call = client.Query.WatchAtRisk(new WatchAtRiskRequest(), cancellationToken: cancellationToken);
        return await LiveView.UntilInterruptedAsync(async () =>
        {
            // Headers arrive once the watch is in place: from here on, no crossing is missed.
            await call.ResponseHeadersAsync.WaitAsync(cancellationToken);
            await Console.Error.WriteLineAsync("Watching for users who become at risk (Ctrl+C stops)...");
            await foreach (var alert in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                var user = alert.User;
                // A lowered threshold alerts users whose score did not move: "was" only when it did.
                var was = alert.HasPreviousProbability && alert.PreviousProbability != user.Probability
                    ? $" (was {CliFormat.Rate(alert.PreviousProbability)})"
                    : string.Empty;
                Console.WriteLine($"{CliFormat.Time(user.ScoredAt)}  {user.UserId}  {ChurnFormat.Probability(user)}{was}  "
                    + ChurnFormat.Reasons(user));
            }
        }, cancellationToken);
    }
}
