using Google.Protobuf;

namespace ProductOps.Gateway.Query;

/// <summary>The loop of WatchOverview and WatchFeature: read the view at every check, send it when
/// it says something the last one sent did not (its change key leaves out what moves
/// with the clock alone), or when a heartbeat is due, so that the caller sees the clock move and
/// proxies keep the call open. Ends only by cancellation.</summary>
public static class ViewWatch
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromMinutes(1);

    /// <param name="read">Builds the view now.</param>
    /// <param name="changeKey">The view without what moves with the clock alone.</param>
    /// <param name="send">Sends a view to the caller.</param>
    /// <param name="interval">The watch's interval between checks.</param>
    /// <param name="wait">Waits the time given, on <paramref name="time"/>.</param>
    /// <param name="time">The clock the heartbeat is timed by.</param>
    /// <param name="cancellationToken">Ends the watch.</param>
    public static async Task RunAsync<TView>(Func<Task<TView>> read, Func<TView, TView> changeKey, Func<TView, Task> send,
        TimeSpan interval, Func<TimeSpan, CancellationToken, Task> wait, TimeProvider time, CancellationToken cancellationToken)
        where TView : class, IMessage<TView>
    {
        TView? sent = null;
        var sentAt = 0L;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var view = await read();
            var key = changeKey(view);
            if (sent is null || !key.Equals(sent) || time.GetElapsedTime(sentAt) >= Heartbeat)
            {
                await send(view);
                (sent, sentAt) = (key, time.GetTimestamp());
            }

            // The next check comes no later than the heartbeat: an interval over half a minute would
            // otherwise find it due only at the check after, up to two intervals after the last view.
            var untilHeartbeat = Heartbeat - time.GetElapsedTime(sentAt);
            await wait(untilHeartbeat >= interval ? interval : untilHeartbeat > TimeSpan.Zero ? untilHeartbeat : TimeSpan.Zero, cancellationToken);
        }
    }
}
