using Google.Protobuf;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Query;

/// <summary>The loop of WatchOverview and WatchFeature: read the view at every check, send it when
/// it says something the last one sent did not (its change key leaves out what moves
/// with the clock alone), or when a heartbeat is due, so that the caller sees the clock move and
/// proxies keep the call open. A view behind the one sent last, or behind the resume token's, is
/// held back (see <see cref="ReadUnlessBehindAsync"/>); a resumed watch sends nothing until its
/// first view has caught up, for <see cref="ResumePatience"/> at most. A read that fails for the
/// cluster's transient failures (a silo dying) once a view was sent is held back too, for
/// <see cref="ClusterFailures.OutagePatience"/>. Ends only by cancellation, by a first read that
/// fails (for a resumed watch, one past its patience), or by failures lasting that patience.</summary>
public static class ViewWatch
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromMinutes(1);

    /// <summary>How long a resumed watch holds back its first view for the grains to catch up with
    /// the token's: after a crash they do within seconds. Past it, the data set does not hold what
    /// the token's view did (wiped, or a token from another deployment), and the watch sends what
    /// there is (or ends NotFound, as a new watch would). Shorter than the heartbeat, so that a
    /// proxy that cuts streams idle for a minute never cuts a resumed one.</summary>
    public static readonly TimeSpan ResumePatience = TimeSpan.FromSeconds(30);

    /// <param name="read">Builds the view now, with where it was read.</param>
    /// <param name="changeKey">The view without what moves with the clock alone.</param>
    /// <param name="send">Sends a view to the caller, with the version the next views must cover
    /// (its resume token's).</param>
    /// <param name="interval">The watch's interval between checks.</param>
    /// <param name="wait">Waits the time given, on <paramref name="time"/>.</param>
    /// <param name="time">The clock the heartbeat is timed by.</param>
    /// <param name="cancellationToken">Ends the watch.</param>
    /// <param name="resumeAfter">Where the last view of an earlier watch was read: no view behind it
    /// is sent, the first one included (see <see cref="ResumePatience"/>).</param>
    public static async Task RunAsync<TView>(Func<Task<VersionedView<TView>>> read, Func<TView, TView> changeKey,
        Func<TView, ViewVersion, Task> send, TimeSpan interval, Func<TimeSpan, CancellationToken, Task> wait, TimeProvider time,
        CancellationToken cancellationToken, ViewVersion? resumeAfter = null)
        where TView : class, IMessage<TView>
    {
        TView? sent = null;
        TView? sentKey = null;
        var sentVersion = resumeAfter; // what a view must cover to be sent
        var sentAt = 0L;
        var startedAt = time.GetTimestamp();
        long? failingSince = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (sent is null && sentVersion is not null && time.GetElapsedTime(startedAt) >= ResumePatience)
            {
                sentVersion = null; // see ResumePatience
            }

            VersionedView<TView>? latest;
            try
            {
                latest = await ReadUnlessBehindAsync(read, sentVersion);
                failingSince = null;
            }
            catch (Exception e) when (sent is not null && ClusterFailures.IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                // While a silo dies its grains' reads fail until the cluster declares it dead: the
                // last view stands (and is sent again as the heartbeat), as for a view behind it.
                failingSince ??= time.GetTimestamp();
                if (time.GetElapsedTime(failingSince.Value) >= ClusterFailures.OutagePatience)
                {
                    throw;
                }

                latest = null;
            }

            var heartbeatDue = sent is not null && time.GetElapsedTime(sentAt) >= Heartbeat;
            var key = latest is null ? null : changeKey(latest.View);
            if (latest is not null && (sentKey is null || !key!.Equals(sentKey) || heartbeatDue))
            {
                var version = latest.Version.OrEarlierWhereUnknown(sentVersion);
                await send(latest.View, version);
                (sent, sentKey, sentVersion, sentAt) = (latest.View, key, version, time.GetTimestamp());
            }
            else if (latest is null && heartbeatDue)
            {
                await send(sent!, sentVersion!); // held back for a minute: the last view again keeps the call alive
                sentAt = time.GetTimestamp();
            }

            // The next check comes no later than the heartbeat: an interval over half a minute would
            // otherwise find it due only at the check after, up to two intervals after the last view.
            // Before the first view (a resumed watch holding back) there is no heartbeat to keep.
            var untilHeartbeat = sent is null ? interval : Heartbeat - time.GetElapsedTime(sentAt);
            await wait(untilHeartbeat >= interval ? interval : untilHeartbeat > TimeSpan.Zero ? untilHeartbeat : TimeSpan.Zero, cancellationToken);
        }
    }

    /// <summary>The view now, or null when it is behind the one sent last: after a silo crash a
    /// feature or tenant grain comes back with its last flushed state (or none: NotFound) until its
    /// partitions send it the rest again, and sending that would take the caller's figures back.</summary>
    private static async Task<VersionedView<TView>?> ReadUnlessBehindAsync<TView>(Func<Task<VersionedView<TView>>> read, ViewVersion? sent)
        where TView : class
    {
        try
        {
            var view = await read();
            return sent is not null && view.Version.IsBehind(sent) ? null : view;
        }
        catch (NotFoundException) when (sent is not null)
        {
            return null;
        }
    }
}
