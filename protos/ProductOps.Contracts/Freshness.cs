namespace ProductOps.Contracts.V1;

public sealed partial class Freshness
{
    /// <summary>Whether the tenant's aggregates hold every event committed so far. Read off the lag,
    /// not the count: a backlog that only the log holds is in the lag but not in the count.</summary>
    public bool CaughtUp => LagMs == 0 && PendingEvents == 0;
}
