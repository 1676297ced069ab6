using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>An event-clock tenant's now (its latest event's time), and the overview's days, which
/// end at that day.</summary>
public sealed class TenantClockTests
{
    private const string Tenant = EventStreamGenerator.Tenant; // an event-clock tenant in the test settings

    [Fact]
    public Task EventClock_NoEventsYet_WallClockThenTheLatestEvent() =>
        TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, _) =>
        {
            var tenant = cluster.Client.GetGrain<ITenantGrain>(Tenant);
            var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var empty = await tenant.GetNow();
            var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var latestMs = new DateTimeOffset(2021, 3, 9, 15, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
            await tenant.Receive(Delta(latestMs));

            Assert.InRange(empty.NowMs, before, after); // not 1970
            Assert.Equal(latestMs, (await tenant.GetNow()).NowMs);
        });

    /// <summary>Days after the clock's are not answered, even when a range asks for them: their
    /// WAU and MAU would carry the days before as if they had activity.</summary>
    [Fact]
    public Task GetOverview_RangePastTheLatestEventsDay_EndsAtThatDay() =>
        TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, _) =>
        {
            var tenant = cluster.Client.GetGrain<ITenantGrain>(Tenant);
            var latestMs = new DateTimeOffset(2021, 3, 9, 15, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
            await tenant.Receive(Delta(latestMs));
            var fromMs = new DateTimeOffset(2021, 3, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

            var overview = await tenant.GetOverview(new TimeRange(fromMs, fromMs + (30 * TimeBuckets.MsPerDay)));
            var future = await tenant.GetOverview(new TimeRange(latestMs + TimeBuckets.MsPerDay, latestMs + (3 * TimeBuckets.MsPerDay)));

            Assert.Equal(9, overview.Activity.Days.Count); // March 1-9
            Assert.Equal(TimeBuckets.DayStartMs(TimeBuckets.DayOf(latestMs)), overview.Activity.Days[^1].DayStartMs);
            Assert.Empty(future.Activity.Days);
        });

    /// <summary>One dispatch whose latest event is at <paramref name="latestMs"/>.</summary>
    private static AggregateDelta Delta(long latestMs) =>
        new(0, Required: 0, FromSeq: 0, UpToSeq: 1,
            [new CounterDelta(string.Empty, Metric.TenantTotalEvents, Bucket: 0, Amount: 1)], new DispatchInfo([], latestMs, latestMs), 1);
}
