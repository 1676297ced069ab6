using ProductOps.Domain;
using ProductOps.Grains;

namespace ProductOps.Cluster.Tests;

/// <summary>The ring of committed events a partition holds for dispatch.</summary>
public sealed class HeldEventsTests
{
    [Fact]
    public void Add_PastTheCapacity_KeepsTheNewestAndReportsTheOldestUndispatchedDropped()
    {
        var held = new HeldEvents(5);

        Assert.Null(held.Add(Run(1, 3), dispatched: 0));
        var spilled = held.Add(Run(4, 4), dispatched: 1); // 1..7 > 5: 1 and 2 go, 1 was dispatched

        Assert.Equal(2, spilled!.Seq);
        Assert.Equal(5, held.Count);
        Assert.Equal([3L, 4, 5, 6, 7], held.Take(2, 10)!.Select(e => e.Seq));
        Assert.Null(held.Take(1, 10)); // 2 is only in the log now
        Assert.Equal(3, held.Oldest!.Seq);
    }

    [Fact]
    public void Add_CommitLargerThanTheCapacity_KeepsItsNewest()
    {
        var held = new HeldEvents(4);
        held.Add(Run(1, 2), dispatched: 0);

        var spilled = held.Add(Run(3, 6), dispatched: 0);

        Assert.Equal(1, spilled!.Seq);
        Assert.Equal([5L, 6, 7, 8], held.Take(4, 10)!.Select(e => e.Seq));
    }

    [Fact]
    public void Add_CommitNotFollowingOn_StartsANewRun()
    {
        var held = new HeldEvents(10);
        held.Add(Run(1, 3), dispatched: 0);

        var spilled = held.Add(Run(7, 2), dispatched: 2); // 4..6 were committed by a commit that "failed"

        Assert.Equal(3, spilled!.Seq);
        Assert.Equal(2, held.Count);
        Assert.Null(held.Take(2, 10));
        Assert.Equal([7L, 8], held.Take(6, 10)!.Select(e => e.Seq));
    }

    [Fact]
    public void DropThrough_AfterEachCycle_KeepsTheRestInOrderAcrossTheRingsEnd()
    {
        var held = new HeldEvents(4);
        held.Add(Run(1, 2), dispatched: 0);
        long dispatched = 0;
        for (var cycle = 0; cycle < 10; cycle++)
        {
            Assert.Null(held.Add(Run(dispatched + 3, 2), dispatched));
            Assert.Equal(Enumerable.Range(1, 4).Select(i => dispatched + i), held.Take(dispatched, 10)!.Select(e => e.Seq));

            held.DropThrough(dispatched + 2);
            dispatched += 2;

            Assert.Equal(2, held.Count);
            Assert.True(held.TryGet(dispatched + 1, out var next));
            Assert.Equal(dispatched + 1, next.Seq);
            Assert.False(held.TryGet(dispatched, out _));
        }
    }

    [Fact]
    public void PendingByTenant_HeldAboveDispatched_CountsEachTenantsOwnWithItsOldest()
    {
        var held = new HeldEvents(10);
        held.Add(Run(1, 6, seq => seq % 3 == 0 ? "b" : "a"), dispatched: 0); // a: 1 2 4 5, b: 3 6

        var pending = held.PendingByTenant(dispatched: 3, out var total);

        Assert.Equal(3, total);
        Assert.Equal([("a", 2L, 1004L), ("b", 1L, 1006L)], pending.OrderBy(p => p.Tenant, StringComparer.Ordinal).Select(p => (p.Tenant, p.Events, p.OldestCommittedAtMs)));
        Assert.Empty(held.PendingByTenant(dispatched: 6, out total));
        Assert.Equal(0, total);
    }

    [Fact]
    public void PendingByTenant_DispatchedBelowWhatIsHeld_CountsOnlyWhatIsHeld()
    {
        var held = new HeldEvents(3);
        held.Add(Run(1, 5), dispatched: 0); // 1 and 2 only in the log now

        var pending = Assert.Single(held.PendingByTenant(dispatched: 0, out var total));

        Assert.Equal(3, total);
        Assert.Equal(("t", 3L, 1003L), (pending.Tenant, pending.Events, pending.OldestCommittedAtMs));
    }

    private static List<LoggedEvent> Run(long firstSeq, int count, Func<long, string>? tenantOf = null) =>
        [.. Enumerable.Range(0, count).Select(i => firstSeq + i).Select(seq =>
            new LoggedEvent(0, seq, 1000 + seq, new TrackedEvent(tenantOf?.Invoke(seq) ?? "t", "u", $"e{seq}", "n", "f", 0, 0, "s", null)))];
}
