using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>`watch`: a line for every user who becomes at risk, until Ctrl+C.</summary>
internal sealed class WatchCommand : ICliCommand
{
    public string Name => "watch";

    public string Summary => "Print users as they become at risk of churning, live, until Ctrl+C; resumes where it was when the node restarts.";

    // The WatchAtRisk response header with the resume token of the watch's start.
    private const string ResumeHeader = "resume-token";

    public string Usage => "watch [options]";

    public IReadOnlyList<CliOption> Options { get; } = [Connection.Address, Connection.ReadKey];

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        arguments.ExpectNoPositionals();
        await using var client = Connection.ForQueries(arguments);
        var place = string.Empty; // the last alert's resume token: a resumed watch misses nothing after it
        var watched = false;
        var retry = new WatchRetry();
        return await LiveView.UntilInterruptedAsync(async () =>
        {
            while (true)
            {
                using var call = client.Query.WatchAtRisk(new WatchAtRiskRequest { ResumeToken = place }, cancellationToken: cancellationToken);
                try
                {
                    // Headers arrive once the watch is in place: from here on, no crossing is missed.
                    var headers = await call.ResponseHeadersAsync.WaitAsync(cancellationToken);
                    if (HasEnded(call))
                    {
                        throw new RpcException(call.GetStatus()); // refused at once, in trailers alone
                    }

                    await Console.Error.WriteLineAsync(!watched
                        ? "Watching for users who become at risk (Ctrl+C stops)..."
                        : place.Length > 0
                            ? "Resumed where the watch was."
                            : "Watching again from now: the server gave no place to resume from, so users who became at risk meanwhile were not shown.");
                    place = headers.GetValue(ResumeHeader) ?? string.Empty; // none from a server that cannot resume
                    watched = true;
                    retry.InPlace();
                    await foreach (var alert in call.ResponseStream.ReadAllAsync(cancellationToken))
                    {
                        Print(alert);
                        place = alert.ResumeToken;
                    }
                }
                catch (Exception e) when (retry.Retries(e, cancellationToken))
                {
                    await retry.FailedAsync(e, watched, cancellationToken);
                }
            }
        }, cancellationToken);
    }

    private static bool HasEnded(AsyncServerStreamingCall<AtRiskAlert> call)
    {
        try
        {
            call.GetStatus(); // throws while the call is still running
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void Print(AtRiskAlert alert)
    {
        var user = alert.User;
        // A lowered threshold alerts users whose score did not move: "was" only when it did.
        var was = alert.HasPreviousProbability && alert.PreviousProbability != user.Probability
            ? $" (was {CliFormat.Rate(alert.PreviousProbability)})"
            : string.Empty;
        Console.WriteLine($"{CliFormat.Time(user.ScoredAt)}  {user.UserId}  {ChurnFormat.Probability(user)}{was}  "
            + ChurnFormat.Reasons(user));
    }
}
