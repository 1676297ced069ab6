using System.Diagnostics;

namespace ProductOps.Bench;

/// <summary>Where an open-loop request's latency starts.</summary>
internal static class OpenLoop
{
    /// <summary>
    /// When the request was due, so that a stalled node is charged for the requests that waited
    /// behind it; but when it was sent, if that was earlier: the senders sleep with
    /// <c>Task.Delay</c>, which rounds a wait down to whole milliseconds, so a request can go out
    /// up to a millisecond early, and counting from its due time would take that millisecond off
    /// its latency (an idle query of 0.3 ms read as 0.1 ms, or below zero).
    /// </summary>
    public static long LatencyStart(long due) => LatencyStart(due, Stopwatch.GetTimestamp());

    /// <summary>The same, for a request sent at <paramref name="sent"/>.</summary>
    public static long LatencyStart(long due, long sent) => Math.Min(due, sent);
}
