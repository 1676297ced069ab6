using ProductOps.Testing;
using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

/// <summary>The live incremental state machine and the from-scratch oracle must agree on every
/// counter and every user snapshot, for random logs that reach the awkward cases.</summary>
public sealed class ReplayOracleEquivalenceTests
{
    [Theory]
    [InlineData(1, Events.Day0, 14)]
    [InlineData(7, Events.Day0, 14)]
    [InlineData(42, Events.Day0, 30)]
    [InlineData(2024, Events.Day0, 10)]
    [InlineData(99, -30, 14)] // spans the epoch: negative day and hour numbers
    public void Replay_RandomLog_CountersMatchLiveDeltas(int seed, int firstDay, int churnHorizonDays)
    {
        var rules = Rules(churnHorizonDays);
        var log = ReplayOracle.Deduplicate(EventStreamGenerator.Generate(seed, firstDay));

        var live = LiveReplay.Run(log, rules);
        var oracle = ReplayOracle.Replay(log, rules);

        AssertReceiversEqual(oracle, live);

        // Guard against a degenerate stream that would make the comparison vacuous.
        Assert.True(oracle.Tenant.Total(Metric.TenantTotalUsers) > 250);
        Assert.True(oracle.Features.Values.Sum(f => f.Total(Metric.FeatureTotalFeedbackCount)) > 100);
    }

    [Theory]
    [InlineData(1, Events.Day0, 14)]
    [InlineData(7, Events.Day0, 14)]
    [InlineData(42, Events.Day0, 30)]
    [InlineData(2024, Events.Day0, 10)]
    [InlineData(99, -30, 14)]
    public void Snapshot_RandomLog_MatchesOracleAtSeveralTimes(int seed, int firstDay, int churnHorizonDays)
    {
        var rules = Rules(churnHorizonDays);
        var log = ReplayOracle.Deduplicate(EventStreamGenerator.Generate(seed, firstDay));
        var live = LiveReplay.Run(log, rules);
        var oracle = ReplayOracle.Replay(log, rules);

        var lastMs = log.Max(e => e.TimestampMs);
        long[] asOfTimes =
        [
            lastMs,
            lastMs + (3 * TimeBuckets.MsPerDay),
            lastMs + (9 * TimeBuckets.MsPerDay),
            lastMs + (20 * TimeBuckets.MsPerDay),
            lastMs + (45 * TimeBuckets.MsPerDay),
            // Mid-log: many users have events after these times (a wall clock behind client clocks).
            TimeBuckets.DayStartMs(firstDay + 30) + 1,
            TimeBuckets.DayStartMs(firstDay + 15) + 1,
        ];

        Assert.Equal(live.Users.Keys.Order(StringComparer.Ordinal), oracle.UserIds.Order(StringComparer.Ordinal));
        var stages = new HashSet<Lifecycle>();
        foreach (var (userId, activity) in live.Users)
        {
            foreach (var asOf in asOfTimes)
            {
                var expected = oracle.User(userId, asOf);
                OracleAssert.SnapshotsEqual(expected, activity.Snapshot(userId, asOf, rules));
                stages.Add(expected.Lifecycle);
            }
        }

        // Every stage is reached, so each branch of the lifecycle rules was compared.
        Assert.Equal(Enum.GetValues<Lifecycle>().Order(), stages.Order());
    }

    /// <summary>Times on midnights, hour edges and window edges, around a leap day, at year 1 and a
    /// year late; snapshots judged on and just before the lifecycle's day boundaries.</summary>
    [Theory]
    [InlineData(1, Events.Day0, 14)]
    [InlineData(2, EdgeStreamGenerator.LeapDay, 14)]
    [InlineData(3, EdgeStreamGenerator.LeapDay - 29, 8)]
    [InlineData(4, 0, 30)] // the epoch
    [InlineData(5, -20, 14)]
    public void Replay_EdgeLog_CountersAndSnapshotsMatchLive(int seed, int baseDay, int churnHorizonDays)
    {
        var rules = new TenantRules(TenantClock.Event, churnHorizonDays, [EdgeStreamGenerator.ChurnEvent]);
        var log = ReplayOracle.Deduplicate(EdgeStreamGenerator.Generate(Events.Tenant, seed, baseDay));

        var live = LiveReplay.Run(log, rules);
        var oracle = ReplayOracle.Replay(log, rules);

        AssertReceiversEqual(oracle, live);

        var stages = new HashSet<Lifecycle>();
        foreach (var (userId, activity) in live.Users)
        {
            foreach (var asOf in EdgeStreamGenerator.AsOfTimes(baseDay).Append(log.Max(e => e.TimestampMs)))
            {
                var expected = oracle.User(userId, asOf);
                OracleAssert.SnapshotsEqual(expected, activity.Snapshot(userId, asOf, rules));
                stages.Add(expected.Lifecycle);
            }
        }

        Assert.Equal(Enum.GetValues<Lifecycle>().Order(), stages.Order());
    }

    [Fact]
    public void Deduplicate_RetriedEvents_KeepsFirstOccurrencePerUser()
    {
        var first = Events.Usage("u1", Events.At(0), feature: "search", value: 1);
        var retry = first with { Value = 2 };
        var otherUser = first with { UserId = "u2" };
        var otherTenant = first with { Tenant = "globex" };

        var kept = ReplayOracle.Deduplicate([first, otherUser, retry, otherTenant, otherUser]);

        Assert.Equal([first, otherUser, otherTenant], kept);
        Assert.Equal(1, kept[0].Value);
    }

    [Fact]
    public void Deduplicate_GeneratedLog_RemovesRetries()
    {
        var raw = EventStreamGenerator.Generate(5, Events.Day0);

        var kept = ReplayOracle.Deduplicate(raw);

        Assert.True(kept.Count < raw.Count);
        Assert.Equal(raw.Select(e => (e.UserId, e.EventId)).Distinct().Count(), kept.Count);
    }

    private static TenantRules Rules(int churnHorizonDays) =>
        new(TenantClock.Event, churnHorizonDays, [EventStreamGenerator.ChurnEvent, EventStreamGenerator.OtherChurnEvent]);

    /// <summary>The tenant's counters and every feature's, live against the oracle.</summary>
    private static void AssertReceiversEqual(OracleResult oracle, LiveReplay live)
    {
        OracleAssert.CountersEqual(oracle.Tenant, live.Tenant, "tenant");
        Assert.Equal(
            oracle.Features.Keys.Order(StringComparer.Ordinal),
            live.Features.Keys.Order(StringComparer.Ordinal));
        foreach (var (feature, counters) in oracle.Features)
        {
            OracleAssert.CountersEqual(counters, live.Features[feature], feature);
        }
    }
}
