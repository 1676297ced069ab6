using Grpc.Core;

namespace ProductOps.Cli;

/// <summary>`--watch` of overview and feature: prints each view the server pushes (at once, then
/// whenever it changes), until Ctrl+C.</summary>
internal static class LiveView
{
    public static readonly CliOption Watch = new("watch", null, "Keep printing the view each time it changes, until Ctrl+C.");

    public static async Task<int> PrintAsync<T>(AsyncServerStreamingCall<T> call, Action<T, TextWriter> print, CancellationToken cancellationToken)
    {
        try
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
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C is how a watch ends.
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
        }

        return CliApp.Ok;
    }
}
