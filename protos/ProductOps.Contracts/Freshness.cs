namespace ProductOps.Contracts.V1;

public sealed partial class Freshness
{
    /// <summary>Whether the view holds every event acknowledged before the call (in a WatchOverview
    /// view, 250 ms before it). Read off the lag as well as the count: a backlog that only the log
    /// holds is in the lag but not in the count.</summary>
    public bool CaughtUp => LagMs == 0 && PendingEvents == 0;
}
