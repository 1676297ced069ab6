using ProductOps.Contracts.V1;

namespace ProductOps.Gateway.Query;

/// <summary>What a watch compares to tell whether a view changed: the view without what moves
/// with the clock alone (its as-of time, the lags) and its resume token, so an idle tenant's dashboard is not sent the
/// same numbers every interval.</summary>
public static class ViewChanges
{
    public static OverviewView OfOverview(OverviewView view)
    {
        var key = view.Clone();
        key.AsOf = null;
        key.ResumeToken = string.Empty;
        if (key.Freshness is { } freshness)
        {
            freshness.LagMs = freshness.CaughtUp ? 0 : 1; // becoming caught up is a change
            freshness.LastDispatchLagMs = 0;
        }

        return key;
    }

    public static FeatureView OfFeature(FeatureView view)
    {
        var key = view.Clone();
        key.AsOf = null;
        key.ResumeToken = string.Empty;
        return key;
    }
}
