using ProductOps.Domain;
using ProductOps.Gateway.Errors;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Query;

/// <summary>
/// One WatchAtRisk's reads of its tenant's feed, in order, from where the watch began. It keeps
/// its place through the cluster's transient failures for up to the outage patience: while the
/// silo holding the feed dies, the feed's calls fail until the cluster declares it dead, and a
/// watch ended then would be started again after whatever the silo took with it, without a word.
/// Read on from its place, the feed's next activation either carries on (the feed moved
/// gracefully) or says alerts may have been missed (<see cref="AtRiskAlertsMissedException"/>).
/// </summary>
public sealed class AtRiskFeedReader
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly IAtRiskFeedGrain _feed;
    private readonly TimeProvider _time;
    private readonly TimeSpan _outagePatience;
    private AtRiskFeedPosition _position;

    private AtRiskFeedReader(IAtRiskFeedGrain feed, AtRiskFeedPosition start, TimeProvider time, TimeSpan outagePatience) =>
        (_feed, Start, _position, _time, _outagePatience) = (feed, start, start, time, outagePatience);

    /// <summary>Where the reader started: a watch resumed from there misses nothing of this one.</summary>
    public AtRiskFeedPosition Start { get; }

    /// <summary>A reader of what <paramref name="tenant"/>'s feed publishes after
    /// <paramref name="resumeAfter"/>, or from now on.</summary>
    /// <exception cref="RequestValidationException"><paramref name="resumeAfter"/> is ahead of the
    /// feed: no alert of it was ever sent.</exception>
    /// <exception cref="AtRiskAlertsMissedException"><paramref name="resumeAfter"/> is in an
    /// activation of the feed lost with its silo.</exception>
    public static async Task<AtRiskFeedReader> StartAsync(
        IGrainFactory grains, string tenant, AtRiskFeedPosition? resumeAfter, TimeProvider time, TimeSpan outagePatience)
    {
        var feed = grains.GetGrain<IAtRiskFeedGrain>(tenant);
        var head = await feed.Head();
        if (resumeAfter is not null && resumeAfter.Epoch != head.Epoch)
        {
            throw AtRiskAlertsMissedException.FeedLost(); // before the watch says it is in place
        }

        if (resumeAfter is not null && resumeAfter.Seq > head.Seq)
        {
            throw new RequestValidationException(new ValidationFailure(AtRiskResumeToken.Field, "is ahead of the tenant's feed: not a token from a previous WatchAtRisk call"));
        }

        return new AtRiskFeedReader(feed, resumeAfter ?? head, time, outagePatience);
    }

    /// <summary>The next crossings, each with its place in the feed, waiting up to
    /// <paramref name="maxWait"/> for the first; none when none came. Throws the feed's last
    /// transient failure once failures have lasted the outage patience.</summary>
    public async Task<IReadOnlyList<(AtRiskCrossing Crossing, AtRiskFeedPosition Position)>> NextAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var failingSince = (long?)null;
        while (true)
        {
            try
            {
                var page = await _feed.Read(_position, maxWait, cancellationToken);
                _position = page.Next;
                // A page is a run of consecutive sequence numbers ending at its next position.
                var first = page.Next.Seq - page.Crossings.Count + 1;
                return [.. page.Crossings.Select((crossing, i) => (crossing, page.Next with { Seq = first + i }))];
            }
            catch (Exception e) when (ClusterFailures.IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                failingSince ??= _time.GetTimestamp();
                if (_time.GetElapsedTime(failingSince.Value) >= _outagePatience)
                {
                    throw;
                }
            }

            await Task.Delay(RetryDelay, _time, cancellationToken);
        }
    }
}
