using Grpc.Core;

namespace ProductOps.Cli;

/// <summary>The CLI's watches: `--watch` of overview and feature prints each view the server pushes
/// (at once, then whenever it changes), until Ctrl+C, as `watch` prints alerts.</summary>
internal static class LiveView
{
    public static readonly CliOption Watch = new("watch", null, "Keep printing the view each time it changes, until Ctrl+C.");

    public static Task<int> PrintAsync<T>(AsyncServerStreamingCall<T> call, Action<T, TextWriter> print, CancellationToken cancellationToken) =>
        UntilInterruptedAsync(async () =>
        {
            var first = true;
            await foreach (var view in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                if (!first)
                {
                    Console.WriteLine();
                    Console.WriteLine(new string('-', 72));
                }

                print(view, Console.Out);
                first = false;
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
