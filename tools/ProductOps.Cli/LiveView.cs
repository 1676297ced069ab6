using Grpc.Core;

namespace ProductOps.Cli;

/// <summary>The CLI's watches: `--watch` of overview and feature prints each view the server pushes
/// (at once, then whenever it changes), until Ctrl+C, as `watch` prints alerts. A watch the node's
/// restart interrupts is called again from the last view's resume token, so the figures printed
/// never go back.</summary>
internal static class LiveView
{
    public static readonly CliOption Watch = new("watch", null, "Keep printing the view each time it changes, until Ctrl+C; carries on when the node restarts.");

    /// <param name="watch">Calls the watch, from a view's resume token (empty: from now).</param>
    /// <param name="resumeTokenOf">A view's resume token.</param>
    /// <param name="print">Prints a view.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    public static Task<int> PrintAsync<T>(Func<string, AsyncServerStreamingCall<T>> watch, Func<T, string> resumeTokenOf,
        Action<T, TextWriter> print, CancellationToken cancellationToken) =>
        UntilInterruptedAsync(async () =>
        {
            var first = true;
            var place = string.Empty;
            var retry = new WatchRetry();
            while (true)
            {
                using var call = watch(place);
                try
                {
                    await foreach (var view in call.ResponseStream.ReadAllAsync(cancellationToken))
                    {
                        await retry.ResumedAsync(first ? "Watching." : "Resumed.");
                        if (!first)
                        {
                            Console.WriteLine();
                            Console.WriteLine(new string('-', 72));
                        }

                        print(view, Console.Out);
                        (first, place) = (false, resumeTokenOf(view));
                    }

                    return; // the server ended the watch: it does only when it stops, with Unavailable
                }
                catch (RpcException e) when (place.Length > 0 && e.StatusCode == StatusCode.InvalidArgument && e.Trailers.GetValue("field") == "resume_token")
                {
                    // A server of another build or deployment: carry on from its now.
                    await Console.Error.WriteLineAsync($"Watching again from now: the server did not take the last view's resume token ({e.Status.Detail}); figures may differ from the last view's.");
                    place = string.Empty;
                    retry.Reset();
                }
                catch (Exception e) when (retry.Retries(e, cancellationToken))
                {
                    await retry.FailedAsync(e, watched: !first, cancellationToken);
                }
            }
        }, cancellationToken);

    /// <summary>Runs a watch until Ctrl+C, which is how a watch ends: exit code 0. The call was made
    /// with the same token, so its end may surface as a cancelled call rather than a cancelled read.</summary>
    public static async Task<int> UntilInterruptedAsync(Func<Task> watch, CancellationToken cancellationToken)
    {
        try
        {
            await watch();
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested
            && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
        }

        return CliApp.Ok;
    }
}
