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

    /// <summary>Training keeps a user at a cutoff exactly when serving would score them then:
    /// they have usage, and no churn event at or after their latest other usage
    /// (<see cref="UserActivity.CancelledAtMs"/>, which the user grain reads). A user who cancelled
    /// and came back is scored live, so is an example, with the features serving computes.</summary>
    [Theory]
    [InlineData(1, 20_000)]
    [InlineData(7, 20_000)]
    [InlineData(42, 20_000)]
    public void AddExamples_RandomHistories_ExamplesExactlyWhereServingScores(int seed, int firstDay)
    {
        var log = ReplayOracle.Deduplicate(EventStreamGenerator.Generate(seed, firstDay));
        var cutoffs = Enumerable.Range(1, 60).Select(d => TimeBuckets.DayStartMs(firstDay + d)).ToList();
        var horizonMs = Rules.ChurnHorizonDays * TimeBuckets.MsPerDay;
        var returned = 0;
        var skipped = 0;
        foreach (var group in log.GroupBy(e => e.UserId, StringComparer.Ordinal))
        {
            var user = new UserHistory(group.Key, [.. group]);
            var examples = new List<ChurnExample>();
            TrainingSetBuilder.AddExamples(user, cutoffs, Rules, examples);
            foreach (var cutoff in cutoffs)
            {
                var live = LiveUserState.Before(user, cutoff, Rules);
                var example = examples.SingleOrDefault(e => e.CutoffMs == cutoff);
                if (live.FirstSeenMs is null || live.CancelledAtMs is not null)
                {
                    Assert.True(example is null, $"{user.UserId} at {cutoff}: an example where serving scores nobody");
                    skipped += live.CancelledAtMs is null ? 0 : 1;
                    continue;
                }

                Assert.True(example is not null, $"{user.UserId} at {cutoff}: no example where serving scores the user");
                AssertSameFeatures(ChurnFeatures.Compute(live, cutoff), example.Features, user.UserId);
                var window = user.Events.Where(e => !e.IsIdentify && e.TimestampMs >= cutoff && e.TimestampMs < cutoff + horizonMs).ToList();
                Assert.Equal(window.Exists(e => Rules.IsChurnEvent(e.Name)) || !window.Exists(e => !Rules.IsChurnEvent(e.Name)), example.Churned);
                returned += live.LastChurnEventMs is not null ? 1 : 0;
            }
        }

        Assert.True(returned > 20, $"only {returned} examples of users who cancelled and came back");
        Assert.True(skipped > 20, $"only {skipped} cancelled users skipped");
    }

    [Fact]
    public void AddExamples_UserCancelledAndCameBack_KeptFromTheReturnOn()
    {
        var day = 20_000;
        var events = new List<TrackedEvent>();
        for (var d = 0; d < 10; d++)
        {
            events.Add(Usage("u", $"a{d}", TimeBuckets.DayStartMs(day + d) + 3_600_000));
        }

        events.Add(new TrackedEvent("t", "u", "cancel", EventStreamGenerator.ChurnEvent, string.Empty, TimeBuckets.DayStartMs(day + 10), 0, string.Empty, null));
        events.Add(Usage("u", "back", TimeBuckets.DayStartMs(day + 12) + 3_600_000));
        var user = new UserHistory("u", events);
        long[] cutoffs = [TimeBuckets.DayStartMs(day + 11), TimeBuckets.DayStartMs(day + 13), TimeBuckets.DayStartMs(day + 20)];

        var examples = new List<ChurnExample>();
        TrainingSetBuilder.AddExamples(user, cutoffs, Rules, examples);

        // Gone at day 11; back on day 12, and an ordinary (inactive) user from then on.
        Assert.Equal([cutoffs[1], cutoffs[2]], examples.Select(e => e.CutoffMs));
        AssertSameFeatures(ChurnFeatures.Compute(LiveUserState.Before(user, cutoffs[1], Rules), cutoffs[1]), examples[0].Features, "u");
        Assert.Null(LiveUserState.Before(user, cutoffs[1], Rules).CancelledAtMs);
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

    private static TrackedEvent Usage(string userId, string eventId, long timestampMs) =>
        new("t", userId, eventId, EventNames.SessionStart, "search", timestampMs, 0, eventId, null);

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
