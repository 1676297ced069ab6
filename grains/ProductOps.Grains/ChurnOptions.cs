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

    /// <summary>How soon an at-risk index shard persists once a user joined it: what nothing else
    /// can give back after a crash (the sweep finds users in the index).</summary>
    public TimeSpan IndexPersistInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a shard persists when only users' scores (and features) changed. Both are
    /// recomputable: the sweep a restart starts rescores every user, so a crash costs at most this
    /// much staleness until then. Each write is the whole shard, so under load this bounds the
    /// index's cost.</summary>
    public TimeSpan IndexScorePersistInterval { get; set; } = TimeSpan.FromSeconds(60);
}
