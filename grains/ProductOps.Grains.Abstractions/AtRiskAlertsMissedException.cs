namespace ProductOps.Grains.Abstractions;

/// <summary>A reader of the at-risk feed may have missed alerts: it fell further behind than the
/// feed holds, the feed it read was lost with its silo, or alerts were dropped before the feed
/// numbered them. Thrown rather than handing it the rest, which would read as if nothing had been
/// missed.</summary>
[GenerateSerializer, Alias("productops.at-risk-alerts-missed-exception")]
public sealed class AtRiskAlertsMissedException : Exception
{
    public AtRiskAlertsMissedException()
    {
    }

    public AtRiskAlertsMissedException(string message)
        : base(message)
    {
    }

    public AtRiskAlertsMissedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The reader's place is in an activation of the feed lost with its silo.</summary>
    public static AtRiskAlertsMissedException FeedLost() =>
        new("the tenant's alert feed was lost with the server holding it and started again: alerts since the watch's last may have been missed");

    /// <summary>The feed no longer holds the <paramref name="missed"/> places after the reader's
    /// (more alerts where one was the place of alerts dropped before the feed).</summary>
    public static AtRiskAlertsMissedException FellBehind(long missed) =>
        new($"the watch fell behind what the feed still holds, and missed at least {missed} alerts");

    /// <summary>Alerts dropped before the feed numbered them (its index shard could not reach it for long).</summary>
    public static AtRiskAlertsMissedException DroppedBeforeTheFeed(long dropped) =>
        new($"{dropped} alerts were dropped before they reached the tenant's feed (it was unreachable for long), and the watch missed them");
}
