using ProductOps.Contracts.V1;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Query;

/// <summary>How far behind one tenant's aggregates are, from every partition's status. Partitions
/// are shared by all tenants: a tenant is told of its own pending events only, never how many
/// another has. A backlog that only the log holds cannot be split by tenant until it is read, so
/// its age counts in every tenant's lag (its size in none): the aggregates may be that far behind.</summary>
public static class TenantFreshness
{
    public static Freshness Of(string tenant, IEnumerable<PartitionStatus> statuses, long nowMs, long lastDispatchLagMs)
    {
        var pending = 0L;
        var oldestMs = long.MaxValue;
        foreach (var status in statuses)
        {
            foreach (var entry in status.PendingByTenant ?? [])
            {
                if (entry.Tenant == tenant)
                {
                    pending += entry.Events;
                    oldestMs = Math.Min(oldestMs, entry.OldestCommittedAtMs);
                }
            }

            if (UnattributedSinceMs(status) is > 0 and var since)
            {
                oldestMs = Math.Min(oldestMs, since);
            }
        }

        return new Freshness
        {
            PendingEvents = pending,
            LagMs = oldestMs == long.MaxValue ? 0 : Math.Max(1, nowMs - oldestMs), // 0 means caught up, and only that
            LastDispatchLagMs = lastDispatchLagMs,
        };
    }

    /// <summary>A silo of an older build, mid-rollout, splits nothing by tenant (no list on the
    /// wire): its whole backlog is unattributed, so no tenant is told it is caught up meanwhile.</summary>
    private static long UnattributedSinceMs(PartitionStatus status) =>
        status.PendingByTenant is null ? status.OldestPendingCommittedAtMs : status.UnattributedSinceMs;
}
