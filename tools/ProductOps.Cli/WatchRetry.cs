using Grpc.Core;

namespace ProductOps.Cli;

/// <summary>How the CLI's watches ride out a node's restart: which failures they call again after,
/// what they say about it (each distinct failure once while it lasts), and how long they wait.</summary>
internal sealed class WatchRetry
{
    /// <summary>How long to wait before calling a watch whose connection failed (the node
    /// restarting, say) again: retried until it comes back, or Ctrl+C.</summary>
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);

    private string? _failing; // the failure being retried after, said once while it lasts

    /// <summary>Whether a watch that ended with <paramref name="failure"/> may be called again from
    /// its place: the server or the way to it failed, or a stopping server cut the stream (surfacing
    /// as a cancelled call or read while Ctrl+C was not pressed). Not when the server refused the
    /// call or said something was missed (Aborted).</summary>
    public static bool Resumable(Exception failure, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && failure switch
        {
            RpcException e => e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown
                or StatusCode.DeadlineExceeded or StatusCode.Cancelled,
            OperationCanceledException or HttpRequestException or IOException => true,
            _ => false,
        };

    /// <summary>Says the failure (once while it lasts), then waits before the next call.</summary>
    /// <param name="failure">How the call failed.</param>
    /// <param name="watched">Whether the watch had been in place before it failed.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    public async Task FailedAsync(Exception failure, bool watched, CancellationToken cancellationToken)
    {
        var said = failure is RpcException e ? $"{e.StatusCode}: {e.Status.Detail}" : $"the connection was cut: {failure.Message}";
        if (said != _failing)
        {
            await Console.Error.WriteLineAsync(watched
                ? $"The watch was interrupted ({said}); calling again..."
                : $"Could not watch yet ({said}); is the server running at that --address? Trying again until it is (Ctrl+C stops)...");
            _failing = said;
        }

        await Task.Delay(Delay, cancellationToken);
    }

    /// <summary>The watch is in place again: says <paramref name="message"/> if it had failed.</summary>
    public async Task ResumedAsync(string message)
    {
        if (_failing is not null)
        {
            await Console.Error.WriteLineAsync(message);
            Reset();
        }
    }

    /// <summary>The watch is in place again: a later failure is said again, even the same one.</summary>
    public void Reset() => _failing = null;
}
