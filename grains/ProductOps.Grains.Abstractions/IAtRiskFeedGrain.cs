using Orleans.Concurrency;

namespace ProductOps.Grains.Abstractions;

/// <summary>
/// A tenant's live feed of users crossing the alert threshold upward (key: tenant id). Index
/// shards publish to it; gateways on any host long-poll it by sequence number, so a watcher sees
/// crossings from every silo. Held in memory: it is a live feed, not a history. A graceful move to
/// another silo carries the readers' places with it; a silo's failure loses them.
/// </summary>
public interface IAtRiskFeedGrain : IGrainWithStringKey
{
    Task Publish(IReadOnlyList<AtRiskCrossing> crossings);

    /// <summary>Publishes <paramref name="crossings"/> after the place of <paramref name="dropped"/>
    /// crossings the publisher had to drop: a reader reaching that place is told it missed them.</summary>
    Task PublishAfterDropped(long dropped, IReadOnlyList<AtRiskCrossing> crossings);

    /// <summary>The position a new watcher starts at: after everything published so far.</summary>
    [AlwaysInterleave]
    Task<AtRiskFeedPosition> Head();

    /// <summary>Crossings after <paramref name="after"/>, waiting up to <paramref name="maxWait"/>
    /// for the first (15 s at most: a poll holds the feed's graceful deactivation); an empty page
    /// when none came. A reader whose next crossings the feed no longer holds gets
    /// <see cref="AtRiskAlertsMissedException"/>, and so does one whose position is of an
    /// activation lost with its silo (the crossings it held are gone), and one that reaches the
    /// place of crossings dropped before the feed numbered them. A cancelled
    /// <paramref name="cancellationToken"/> (the watcher went away) ends the wait at once, in the
    /// grain as well: no poll outlives its watcher.</summary>
    [AlwaysInterleave]
    Task<AtRiskFeedPage> Read(AtRiskFeedPosition after, TimeSpan maxWait, CancellationToken cancellationToken = default);

    /// <summary>How many reads are waiting for a crossing now: one per connected watcher, each
    /// gone as soon as its watcher is.</summary>
    [AlwaysInterleave]
    Task<int> Waiting();
}
