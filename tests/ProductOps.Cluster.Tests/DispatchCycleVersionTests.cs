using ProductOps.Domain;
using ProductOps.Grains;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>A receiver's version is how many events from each partition changed it. After a crash
/// a partition sends its events again cut into other cycles (up to MaxDispatchEvents from its
/// checkpoint, where they had come as they arrived): the receiver must reach the same version, or a
/// watch comparing versions would wait for that feature's next event.</summary>
public sealed class DispatchCycleVersionTests
{
    private const string History = "history";

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(4096)]
    public void Events_EventsCutIntoCyclesOfAnySize_EveryReceiverCountsEachOfItsEventsOnce(int cycleSize)
    {
        var events = EventStreamGenerator.Generate(seed: 11, firstDay: 20_000, users: 30, days: 10)
            .Select((e, i) => new LoggedEvent(0, i + 1, 0, e))
            .ToList();

        var reached = new Dictionary<string, long>();
        foreach (var cycle in events.Chunk(cycleSize))
        {
            var dispatched = new DispatchCycle(cycle, SharesOf(cycle), new DispatchCycle.BuilderPool());
            foreach (var receiver in dispatched.Receivers)
            {
                reached[receiver.Feature] = reached.GetValueOrDefault(receiver.Feature) + dispatched.RollUpOf(receiver).Events;
            }
        }

        var usage = events.Where(e => !e.Event.IsIdentify).ToList();
        var expected = usage.Where(e => e.Event.HasFeature)
            .GroupBy(e => e.Event.Feature)
            .ToDictionary(g => g.Key, g => (long)g.Count());
        expected[string.Empty] = usage.Count; // the tenant: every usage event counts there
        expected[History] = events.Count(HasHistoryDelta); // identify events' too: their user's history changed it
        Assert.True(expected.Count > 3, "the stream has several features");
        Assert.Equal(expected.OrderBy(e => e.Key), reached.OrderBy(e => e.Key));
    }

    /// <summary>A receiver that holds part of a cycle is sent the rest (Partial): that rest counts
    /// exactly the receiver's events past what it holds.</summary>
    [Fact]
    public void Events_TheRestOfACyclePastAWatermark_CountsOnlyTheEventsPastIt()
    {
        var events = EventStreamGenerator.Generate(seed: 12, firstDay: 20_000, users: 20, days: 5)
            .Select((e, i) => new LoggedEvent(0, i + 1, 0, e))
            .Take(300)
            .ToList();
        var cycle = new DispatchCycle(events, SharesOf(events), new DispatchCycle.BuilderPool());

        foreach (var receiver in cycle.Receivers)
        {
            foreach (var watermark in new long[] { 0, 1, 77, 150, 299, 300 })
            {
                var past = events.Count(e => e.Seq > watermark && Changes(e, receiver.Feature));
                Assert.Equal(past, cycle.RollUpOf(receiver, watermark).Events);
            }
        }
    }

    /// <summary>Whether the event changes the receiver of <paramref name="feature"/> (the tenant's: empty).</summary>
    private static bool Changes(LoggedEvent e, string feature) =>
        feature == History ? HasHistoryDelta(e) : !e.Event.IsIdentify && (feature.Length == 0 || e.Event.Feature == feature);

    /// <summary>The cycle's shares, each with the deltas its user grain would have returned: here one
    /// for the feature <see cref="History"/> on every fifth event, as a user's history adds to a
    /// feature other than its event's.</summary>
    private static List<UserShare> SharesOf(IReadOnlyList<LoggedEvent> cycle)
    {
        var shares = UserShare.Split(cycle, (_, _) => null!);
        foreach (var share in shares)
        {
            var applied = AppliedDeltasBuilder.Start();
            foreach (var logged in share.Events)
            {
                if (HasHistoryDelta(logged))
                {
                    applied.Deltas.Add(new CounterDelta(History, Metric.FeatureDayUsers, TimeBuckets.DayOf(logged.Event.TimestampMs), 1));
                }

                applied.EndEvent(logged.Seq);
            }

            share.Deltas = applied.Build();
        }

        return shares;
    }

    private static bool HasHistoryDelta(LoggedEvent logged) => logged.Seq % 5 == 0;
}
