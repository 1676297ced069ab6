using ProductOps.Gateway.Query;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Tests;

/// <summary>An overview's freshness tells a tenant of its own backlog, never of the others'.</summary>
public sealed class TenantFreshnessTests
{
    private const long NowMs = 1_000_000;

    [Fact]
    public void Of_OtherTenantsPending_CountsOnlyTheCallersWithItsOwnLag()
    {
        PartitionStatus[] statuses =
        [
            Status(0, [new("acme", 3, NowMs - 40), new("other", 5_000, NowMs - 900)]),
            Status(1, [new("other", 7_000, NowMs - 800)]),
            Status(2, [new("acme", 2, NowMs - 70)]),
        ];

        var acme = TenantFreshness.Of("acme", statuses, NowMs, lastDispatchLagMs: 12);
        var idle = TenantFreshness.Of("idle", statuses, NowMs, lastDispatchLagMs: 0);

        Assert.Equal((5L, 70L, 12L), (acme.PendingEvents, acme.LagMs, acme.LastDispatchLagMs));
        Assert.False(acme.CaughtUp);
        Assert.Equal((0L, 0L), (idle.PendingEvents, idle.LagMs));
        Assert.True(idle.CaughtUp);
    }

    [Fact]
    public void Of_ABacklogOnlyTheLogHolds_CountsItsAgeForEveryTenantButNotItsSize()
    {
        PartitionStatus[] statuses =
        [
            Status(0, [new("other", 9_000, NowMs - 300)], unattributedSinceMs: NowMs - 2_500),
            Status(1, []),
        ];

        var idle = TenantFreshness.Of("idle", statuses, NowMs, lastDispatchLagMs: 0);

        Assert.Equal((0L, 2_500L), (idle.PendingEvents, idle.LagMs));
        Assert.False(idle.CaughtUp);
    }

    [Fact]
    public void Of_PendingCommittedThisMillisecond_IsNotCaughtUp()
    {
        var freshness = TenantFreshness.Of("acme", [Status(0, [new("acme", 1, NowMs)])], NowMs, lastDispatchLagMs: 0);

        Assert.Equal(1, freshness.LagMs);
        Assert.False(freshness.CaughtUp);
    }

    [Fact]
    public void Of_ASiloOfAnOlderBuildWithABacklog_CountsItsAgeForEveryTenant()
    {
        // Its status has no split by tenant (null on the wire) and no unattributed time: only the
        // oldest pending event's commit time says it is behind.
        var older = new PartitionStatus(0, Head: 90, Dispatched: 40, Checkpoint: 40, OldestPendingCommittedAtMs: NowMs - 500, PendingByTenant: null!, UnattributedSinceMs: 0);

        var freshness = TenantFreshness.Of("acme", [older, Status(1, [])], NowMs, lastDispatchLagMs: 0);

        Assert.Equal((0L, 500L), (freshness.PendingEvents, freshness.LagMs));
        Assert.False(freshness.CaughtUp);
    }

    private static PartitionStatus Status(int partition, TenantPending[] pending, long unattributedSinceMs = 0) =>
        new(partition, Head: 0, Dispatched: 0, Checkpoint: 0, OldestPendingCommittedAtMs: 0, pending, unattributedSinceMs);
}
