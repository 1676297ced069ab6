using ProductOps.Domain;
using ProductOps.Testing;

namespace ProductOps.Churn.Tests;

/// <summary>Invariant 4, train/serve parity: the training-set builder's features of a user at a
/// cutoff equal what the live user grain's state machine computes from the same events.</summary>
public sealed class ChurnFeaturesParityTests
{
    private static readonly TenantRules Rules = new(
        TenantClock.Event, 14, [EventStreamGenerator.ChurnEvent, EventStreamGenerator.OtherChurnEvent]);

    [Theory]
    [InlineData(1, 20_000)]
    [InlineData(7, 20_000)]
    [InlineData(42, 20_000)]
    [InlineData(99, -30)] // spans the epoch
    public void FeaturesAt_RandomHistories_EqualLiveStateAtEachCutoff(int seed, int firstDay)
    {
        var log = ReplayOracle.Deduplicate(EventStreamGenerator.Generate(seed, firstDay));
        var users = log.GroupBy(e => e.UserId, StringComparer.Ordinal)
            .Select(g => new UserHistory(g.Key, [.. g]))
            .ToList();
        var cutoffs = Enumerable.Range(0, 12)
            .Select(i => TimeBuckets.DayStartMs(firstDay + (i * 6)) + (i % 3 == 0 ? 0 : 3_600_000L * i))
            .Append(log.Max(e => e.TimestampMs) + (5 * TimeBuckets.MsPerDay))
            .ToList();

        AssertBuilderEqualsLiveState(users, cutoffs, Rules);
    }

    /// <summary>Histories on midnights and window edges, a year late, back to year 1, with ties:
    /// cutoffs on the same edges. The live state keeps 90 days before its latest event whatever
    /// the order the events came in; the builder's, built in time order, must hold the same.</summary>
    [Theory]
    [InlineData(1, 20_089)]
    [InlineData(2, EdgeStreamGenerator.LeapDay)]
    [InlineData(3, 0)]
    public void FeaturesAt_EdgeHistories_EqualLiveStateAtEachCutoff(int seed, int baseDay)
    {
        var rules = new TenantRules(TenantClock.Event, 14, [EdgeStreamGenerator.ChurnEvent]);
        var log = ReplayOracle.Deduplicate(EdgeStreamGenerator.Generate("t", seed, baseDay));
        var cutoffs = EdgeStreamGenerator.AsOfTimes(baseDay).Order().ToList();

        AssertBuilderEqualsLiveState(log.GroupBy(e => e.UserId, StringComparer.Ordinal).Select(g => new UserHistory(g.Key, [.. g])), cutoffs, rules);
    }

    [Fact]
    public void Compute_AfterWholeHistory_EqualsBuilderPastLastEvent()
    {
        var log = ReplayOracle.Deduplicate(EventStreamGenerator.Generate(5, 20_000));
        var asOf = log.Max(e => e.TimestampMs) + (2 * TimeBuckets.MsPerDay) + 1;
        var live = new Dictionary<string, UserActivity>(StringComparer.Ordinal);
        var deltas = new List<CounterDelta>();
        foreach (var e in log)
        {
            if (!live.TryGetValue(e.UserId, out var activity))
            {
                live[e.UserId] = activity = new UserActivity();
            }

            activity.Apply(e, Rules, deltas);
        }

        foreach (var group in log.GroupBy(e => e.UserId, StringComparer.Ordinal))
        {
            var built = TrainingSetBuilder.FeaturesAt(new UserHistory(group.Key, [.. group]), [asOf], Rules)[0];
            if (built is null)
            {
                Assert.Null(live[group.Key].FirstSeenMs);
                continue;
            }

            AssertSameFeatures(ChurnFeatures.Compute(live[group.Key], asOf), built, group.Key);
        }
    }

    [Fact]
    public void Compute_FadingUser_ShowsRecencyAndFallingTrend()
    {
        var rules = TenantRules.Default;
        var user = new UserActivity();
        var deltas = new List<CounterDelta>();
        var day0 = 20_000;
        for (var d = 0; d < 40; d++)
        {
            // Daily for four weeks, then every third day, then silence.
            if (d < 28 || (d < 34 && d % 3 == 0))
            {
                user.Apply(new TrackedEvent("t", "u", $"e{d}", EventNames.SessionStart, string.Empty, TimeBuckets.DayStartMs(day0 + d) + 1000, 0, "s" + d, null), rules, deltas);
                user.Apply(new TrackedEvent("t", "u", $"f{d}", "feature_used", "search", TimeBuckets.DayStartMs(day0 + d) + 2000, 2, "s" + d, null), rules, deltas);
            }
        }

        var f = ChurnFeatures.Compute(user, TimeBuckets.DayStartMs(day0 + 40));
        Assert.InRange(f[0], 39.99f, 40f); // tenure
        Assert.InRange(f[1], 6.99f, 7f); // last activity early on day 33
        Assert.Equal(1, f[2]); // day 33 is the only active day of days 33-39
        Assert.Equal(18, f[4]); // days 12-39: 12..27 daily, then 30 and 33

        Assert.Equal(3f / 7f, f[9], 5); // (2 + 1) / (6 + 1): days 33 vs 26, 27, 30
        Assert.Equal(1, f[19]);
        Assert.Equal("no activity for 8 days", ChurnFeatures.Describe(ChurnFeatures.RecencyIndex, 8f));
    }

    /// <summary>Live scoring is at the tenant clock and never before the user's latest event: on the
    /// event clock of a history imported with whole-day timestamps, that is a midnight holding the
    /// user's latest events. Their day is today so far, and counts in the windows, as it does a
    /// millisecond later.</summary>
    [Fact]
    public void Compute_EventsAtTheAsOfInstant_CountInTodaysWindows()
    {
        var user = new UserActivity();
        var deltas = new List<CounterDelta>();
        var day = 20_000;
        long[] times = [TimeBuckets.DayStartMs(day - 3), TimeBuckets.DayStartMs(day), TimeBuckets.DayStartMs(day)];
        for (var i = 0; i < times.Length; i++)
        {
            user.Apply(new TrackedEvent("t", "u", $"e{i}", EventNames.SessionStart, "search", times[i], 1, $"s{i}", null), Rules, deltas);
        }

        var asOf = TimeBuckets.DayStartMs(day); // the user's latest event, and the tenant's
        var f = ChurnFeatures.Compute(user, asOf);

        Assert.Equal(0f, f[1]); // recency: an event right now
        Assert.Equal(2, f[2]); // active on days day - 3 and day of the last 7
        Assert.Equal(3, f[6]); // events in the last 7 days
        Assert.Equal(3, f[12]); // sessions in the last 7 days
        AssertSameFeatures(ChurnFeatures.Compute(user, asOf + 1), f, "u");
    }

    /// <summary>Each user's builder features at each cutoff equal what a live user grain holds
    /// then (the events before it, in log order), over more than 1,000 comparisons.</summary>
    private static void AssertBuilderEqualsLiveState(IEnumerable<UserHistory> users, List<long> cutoffs, TenantRules rules)
    {
        var compared = 0;
        foreach (var user in users)
        {
            var built = TrainingSetBuilder.FeaturesAt(user, cutoffs, rules);
            for (var c = 0; c < cutoffs.Count; c++)
            {
                var live = LiveUserState.Before(user, cutoffs[c], rules);

                if (live.FirstSeenMs is null)
                {
                    Assert.Null(built[c]);
                    continue;
                }

                AssertSameFeatures(ChurnFeatures.Compute(live, cutoffs[c]), built[c]!, user.UserId);
                compared++;
            }
        }

        Assert.True(compared > 1_000, $"only {compared} comparisons");
    }

    private static void AssertSameFeatures(float[] expected, float[] actual, string userId)
    {
        Assert.Equal(ChurnFeatures.Count, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            // Value sums may add the same doubles in another order: equal up to rounding.
            var tolerance = 1e-5f * Math.Max(1f, Math.Abs(expected[i]));
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"{userId}: {ChurnFeatures.Names[i]} live {expected[i]} vs builder {actual[i]}");
        }
    }
}
