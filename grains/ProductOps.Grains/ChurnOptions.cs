namespace ProductOps.Grains;

/// <summary>Churn serving settings (configuration section "ProductOps:Churn").</summary>
public sealed class ChurnOptions
{
    public const string Section = "ProductOps:Churn";

    /// <summary>How often a silo re-reads the registry's active model version: the longest a newly
    /// activated model (or a rollback) takes to reach every silo.</summary>
    public TimeSpan ModelRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A user with new events is rescored this long after the first of them: at most one
    /// rescoring per user per interval, however many events arrive.</summary>
    public TimeSpan RescoreDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often each tenant's sweep checks whether the tenant-clock day or the active
    /// model changed (and then rescores every user).</summary>
    public TimeSpan SweepCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Most users a sweep rescores at once.</summary>
    public int SweepConcurrency { get; set; } = 32;

    /// <summary>How often an at-risk index shard persists changed scores. A crash loses at most
    /// this much of the index; the next sweep or the user's next event puts it back.</summary>
    public TimeSpan IndexPersistInterval { get; set; } = TimeSpan.FromSeconds(5);
}
