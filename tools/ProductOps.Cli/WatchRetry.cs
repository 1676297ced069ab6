using System.Diagnostics;
using Grpc.Core;

namespace ProductOps.Cli;

/// <summary>How the CLI's watches ride out a node's restart: which failures they call again after,
/// what they say about it (each distinct failure once while it lasts), and how long they wait.</summary>
internal sealed class WatchRetry
{
    /// <summary>How long to wait before calling a watch whose connection failed (the node
    /// restarting, say) again: retried until it comes back, or Ctrl+C.</summary>
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);

    /// <summary>How many Internal or Unknown failures in a row a watch calls again after: in a row
    /// means with the watch never in place for <see cref="SteadyFor"/> between. A stopping server's
    /// cut can surface as either, once or twice; more in a row is a server failing every call, which
    /// waiting will not mend.</summary>
    public const int MaxServerErrorsInARow = 5;

    /// <summary>How long a watch must have been in place before failing for its failure to start a
    /// new row: a server that admits a call, or sends its first view, and then fails at once, every
    /// time, is failing every call.</summary>
    private static readonly TimeSpan SteadyFor = TimeSpan.FromMinutes(1);

    private string? _failing; // the failure being retried after, said once while it lasts
    private int _serverErrors; // Internal or Unknown failures in a row
    private long? _inPlaceSince; // when the current call was first in place (a Stopwatch timestamp)

    /// <summary>Whether a watch that ended with <paramref name="failure"/> may be called again from
    /// its place: the server or the way to it failed, or a stopping server cut the stream (surfacing
    /// as a cancelled call or read while Ctrl+C was not pressed). Not when the server refused the
    /// call or said something was missed (Aborted), nor past <see cref="MaxServerErrorsInARow"/>.
    /// Counts the failure: call once per failure.</summary>
    public bool Retries(Exception failure, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || !Resumable(failure))
        {
            return false;
        }

        var steady = _inPlaceSince is { } since && Stopwatch.GetElapsedTime(since) >= SteadyFor;
        _inPlaceSince = null;
        _serverErrors = failure is RpcException { StatusCode: StatusCode.Internal or StatusCode.Unknown }
            ? (steady ? 1 : _serverErrors + 1)
            : 0;
        return _serverErrors <= MaxServerErrorsInARow;
    }

    private static bool Resumable(Exception failure) => failure switch
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

    /// <summary>The watch is in place (a view came, or the call was admitted): says
    /// <paramref name="message"/> if it had failed.</summary>
    public async Task ResumedAsync(string message)
    {
        if (_failing is not null)
        {
            await Console.Error.WriteLineAsync(message);
        }

        InPlace();
    }

    /// <summary>The watch is in place: a later failure is said again, even the same one.</summary>
    public void InPlace()
    {
        _failing = null;
        _inPlaceSince ??= Stopwatch.GetTimestamp();
    }

    /// <summary>The watch starts over from now (its place was refused): nothing of the calls before
    /// counts.</summary>
    public void Reset() => (_failing, _serverErrors, _inPlaceSince) = (null, 0, null);
}
