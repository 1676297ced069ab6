using ProductOps.Contracts.V1;
using ProductOps.Simulator;

namespace ProductOps.Client.Tests;

public sealed class ProductSimulationTests(SimulationFixture fixture) : IClassFixture<SimulationFixture>
{
    [Fact]
    public void Events_SameOptions_AreIdentical()
    {
        var again = new ProductSimulation(SimulationFixture.Options).Events().ToList();

        Assert.Equal(fixture.Events.Count, again.Count);
        for (var i = 0; i < again.Count; i++)
        {
            Assert.Equal(fixture.Events[i], again[i]);
        }
    }

    [Fact]
    public void Events_DifferentSeed_DifferInEventsAndIds()
    {
        var options = SimulationFixture.Options;
        options.Seed++;
        var other = new ProductSimulation(options).Events().Take(1_000).ToList();

        Assert.NotEqual(fixture.Events.Take(1_000).Select(e => (e.UserId, e.Timestamp)), other.Select(e => (e.UserId, e.Timestamp)));
        Assert.Empty(fixture.Events.Take(1_000).Select(e => e.EventId).Intersect(other.Select(e => e.EventId)));
    }

    [Fact]
    public void Events_Timestamps_AreNonDecreasingAndInsideTheWindow()
    {
        var start = fixture.Simulation.StartTime;
        var end = fixture.Simulation.EndTime.AddDays(1);
        for (var i = 1; i < fixture.Events.Count; i++)
        {
            Assert.True(Compare(fixture.Events[i - 1].Timestamp, fixture.Events[i].Timestamp) <= 0,
                $"Event {i} is earlier than event {i - 1}.");
        }

        Assert.All(fixture.Events, e => Assert.InRange(e.Timestamp.ToDateTimeOffset(), start, end));
    }

    [Fact]
    public void Events_EventIds_AreUniquePerUser()
    {
        foreach (var (user, events) in fixture.EventsByUser)
        {
            Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct(StringComparer.Ordinal).Count());
        }
    }

    [Fact]
    public void Events_EachKind_CarriesItsFields()
    {
        var names = fixture.Events.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(names, new HashSet<string>(StringComparer.Ordinal)
        {
            SimulatedEventNames.SessionStart, SimulatedEventNames.FeatureUsed, SimulatedEventNames.Purchase,
            SimulatedEventNames.Feedback, SimulatedEventNames.Error, SimulatedEventNames.SubscriptionCancelled,
        });

        var features = fixture.Simulation.Features.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var e in fixture.Events)
        {
            Assert.False(string.IsNullOrEmpty(e.SessionId));
            switch (e.Name)
            {
                case SimulatedEventNames.FeatureUsed:
                    Assert.Contains(e.Feature, features);
                    break;
                case SimulatedEventNames.Feedback:
                    Assert.Contains(e.Feature, features);
                    Assert.InRange(e.Value, 1, 5);
                    Assert.Equal(Math.Round(e.Value), e.Value);
                    break;
                case SimulatedEventNames.Purchase:
                    Assert.True(e.Value > 0);
                    break;
                case SimulatedEventNames.Error:
                    Assert.True(e.Properties.ContainsKey("code"));
                    break;
            }
        }
    }

    [Fact]
    public void Events_EachSession_StartsWithSessionStart()
    {
        var started = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in fixture.Events)
        {
            if (e.Name == SimulatedEventNames.SessionStart)
            {
                Assert.True(started.Add(e.SessionId), $"Session {e.SessionId} started twice.");
            }
            else
            {
                Assert.Contains(e.SessionId, started);
            }
        }
    }

    [Fact]
    public void GroundTruth_ChurnShare_MatchesOptions()
    {
        var truth = fixture.Simulation.GroundTruth;

        Assert.Equal(600, truth.Count);
        Assert.Equal(150, truth.Count(t => t.Churned));
        Assert.InRange(truth.Count(t => t.Cancelled), 30, 90);
        Assert.All(truth.Where(t => !t.Churned), t => Assert.False(t.Cancelled));
    }

    [Fact]
    public void GroundTruth_ChurnedUsers_HaveNoEventsFromChurnedAt()
    {
        foreach (var truth in fixture.Simulation.GroundTruth.Where(t => t.Churned))
        {
            Assert.NotNull(truth.ChurnedAt);
            Assert.NotNull(truth.DeclineStartsAt);
            var span = truth.ChurnedAt.Value - truth.DeclineStartsAt.Value;
            Assert.InRange(span, TimeSpan.FromDays(7), TimeSpan.FromDays(21));
            var events = fixture.EventsByUser.GetValueOrDefault(truth.UserId) ?? [];
            Assert.All(events, e => Assert.True(e.Timestamp.ToDateTimeOffset() < truth.ChurnedAt.Value));
        }
    }

    [Fact]
    public void GroundTruth_CancelledUsers_EndWithSubscriptionCancelled()
    {
        var cancellers = new HashSet<string>(
            fixture.Simulation.GroundTruth.Where(t => t.Cancelled).Select(t => t.UserId), StringComparer.Ordinal);
        foreach (var (user, events) in fixture.EventsByUser)
        {
            var cancellations = events.Count(e => e.Name == SimulatedEventNames.SubscriptionCancelled);
            if (cancellers.Contains(user))
            {
                Assert.Equal(1, cancellations);
                Assert.Equal(SimulatedEventNames.SubscriptionCancelled, events[^1].Name);
                var churnDay = fixture.Simulation.GetGroundTruth(user).ChurnedAt!.Value.AddDays(-1);
                Assert.Equal(churnDay.Date, events[^1].Timestamp.ToDateTimeOffset().Date);
            }
            else
            {
                Assert.Equal(0, cancellations);
            }
        }
    }

    [Fact]
    public void GroundTruth_Users_HaveNoEventsBeforeSignupOrDuringBreaks()
    {
        foreach (var truth in fixture.Simulation.GroundTruth)
        {
            var events = fixture.EventsByUser.GetValueOrDefault(truth.UserId) ?? [];
            foreach (var e in events)
            {
                var day = DateOnly.FromDateTime(e.Timestamp.ToDateTime());
                Assert.True(day >= truth.SignupDate, $"{truth.UserId} is active before signing up.");
                if (truth.BreakStart is { } breakStart)
                {
                    // The day before a break may spill a late session past midnight, into the break's first day.
                    Assert.False(day > breakStart && day < breakStart.AddDays(truth.BreakDays),
                        $"{truth.UserId} is active during a break.");
                }
            }
        }
    }

    [Fact]
    public void ChurnedUsers_BeforeChurn_ShowDecliningActivityAndWarningSigns()
    {
        var before = new Signals();
        var during = new Signals();
        foreach (var truth in fixture.Simulation.GroundTruth.Where(t => t.Churned))
        {
            var declineStart = truth.DeclineStartsAt!.Value;
            var baselineStart = declineStart.AddDays(-14) < fixture.Simulation.StartTime
                ? fixture.Simulation.StartTime
                : declineStart.AddDays(-14);
            var signup = new DateTimeOffset(truth.SignupDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            if (signup > baselineStart)
            {
                baselineStart = signup;
            }

            before.Days += (declineStart - baselineStart).TotalDays;
            during.Days += (truth.ChurnedAt!.Value - declineStart).TotalDays;
            foreach (var e in fixture.EventsByUser.GetValueOrDefault(truth.UserId) ?? [])
            {
                var time = e.Timestamp.ToDateTimeOffset();
                if (time >= declineStart)
                {
                    during.Add(e);
                }
                else if (time >= baselineStart)
                {
                    before.Add(e);
                }
            }
        }

        Assert.True(during.SessionsPerDay < 0.7 * before.SessionsPerDay,
            $"Sessions per day: {before.SessionsPerDay:F2} before the decline, {during.SessionsPerDay:F2} during it.");
        Assert.True(during.FeaturesPerSession < before.FeaturesPerSession,
            $"Distinct features per session: {before.FeaturesPerSession:F2} before, {during.FeaturesPerSession:F2} during.");
        Assert.True(during.ErrorsPerSession > 2 * before.ErrorsPerSession,
            $"Errors per session: {before.ErrorsPerSession:F3} before, {during.ErrorsPerSession:F3} during.");
        Assert.True(during.FeedbackMean < before.FeedbackMean - 0.5,
            $"Feedback mean: {before.FeedbackMean:F2} before, {during.FeedbackMean:F2} during.");
    }

    [Fact]
    public void StayingUsers_OverTheWindow_KeepTheirActivity()
    {
        var firstHalf = 0;
        var secondHalf = 0;
        var middle = fixture.Simulation.StartTime.AddDays(21);
        var existing = fixture.Simulation.GroundTruth
            .Where(t => !t.Churned && t.BreakDays == 0 && t.SignupDate < SimulationFixture.Options.Start)
            .Select(t => t.UserId)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var e in fixture.Events)
        {
            if (e.Name == SimulatedEventNames.SessionStart && existing.Contains(e.UserId))
            {
                if (e.Timestamp.ToDateTimeOffset() < middle)
                {
                    firstHalf++;
                }
                else
                {
                    secondHalf++;
                }
            }
        }

        Assert.InRange(secondHalf, 0.8 * firstHalf, 1.25 * firstHalf);
    }

    [Fact]
    public void Features_Adoption_DiffersAndRespectsLaunchDay()
    {
        var adopters = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var e in fixture.Events.Where(e => e.Name == SimulatedEventNames.FeatureUsed))
        {
            if (!adopters.TryGetValue(e.Feature, out var users))
            {
                adopters[e.Feature] = users = new HashSet<string>(StringComparer.Ordinal);
            }

            users.Add(e.UserId);
        }

        Assert.Equal(fixture.Simulation.Features.Count, adopters.Count);
        var counts = adopters.Values.Select(u => u.Count).ToList();
        Assert.True(counts.Max() > 4 * counts.Min(), $"Adopters per feature: {string.Join(", ", counts)}.");
        Assert.True(adopters["dashboard"].Count > adopters["reports"].Count);
        Assert.True(adopters["reports"].Count > adopters["api"].Count);

        foreach (var feature in fixture.Simulation.Features.Where(f => f.LaunchDay > 0))
        {
            var launch = fixture.Simulation.StartTime.AddDays(feature.LaunchDay);
            Assert.All(
                fixture.Events.Where(e => e.Feature == feature.Name),
                e => Assert.True(e.Timestamp.ToDateTimeOffset() >= launch));
        }
    }

    [Fact]
    public void Identifies_OnePerUser_CarryTheGroundTruthTraits()
    {
        var identifies = fixture.Simulation.Identifies().ToList();

        Assert.Equal(fixture.Simulation.GroundTruth.Count, identifies.Count);
        Assert.Equal(identifies.Count, identifies.Select(i => i.UserId).Distinct(StringComparer.Ordinal).Count());
        for (var i = 1; i < identifies.Count; i++)
        {
            Assert.True(Compare(identifies[i - 1].Timestamp, identifies[i].Timestamp) <= 0);
        }

        foreach (var identify in identifies)
        {
            var truth = fixture.Simulation.GetGroundTruth(identify.UserId);
            Assert.Equal(truth.Plan, identify.Traits["plan"]);
            Assert.Equal(truth.Country, identify.Traits["country"]);
            Assert.Equal(truth.SignupDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                identify.Traits["signup_date"]);
            Assert.False(string.IsNullOrEmpty(identify.EventId));
        }
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProductSimulation(new ProductSimulationOptions { Users = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProductSimulation(new ProductSimulationOptions { Days = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProductSimulation(new ProductSimulationOptions { ChurnShare = 1.5 }));
    }

    private static int Compare(Google.Protobuf.WellKnownTypes.Timestamp a, Google.Protobuf.WellKnownTypes.Timestamp b) =>
        a.Seconds != b.Seconds ? a.Seconds.CompareTo(b.Seconds) : a.Nanos.CompareTo(b.Nanos);

    /// <summary>Warning signs summed over a set of user-days.</summary>
    private sealed class Signals
    {
        private readonly HashSet<(string Session, string Feature)> _sessionFeatures = [];
        private int _sessions;
        private int _errors;
        private int _feedbackCount;
        private double _feedbackSum;

        public double Days { get; set; }

        public double SessionsPerDay => _sessions / Days;

        public double FeaturesPerSession => _sessionFeatures.Count / (double)_sessions;

        public double ErrorsPerSession => _errors / (double)_sessions;

        public double FeedbackMean => _feedbackSum / _feedbackCount;

        public void Add(Event e)
        {
            switch (e.Name)
            {
                case SimulatedEventNames.SessionStart:
                    _sessions++;
                    break;
                case SimulatedEventNames.FeatureUsed:
                    _sessionFeatures.Add((e.SessionId, e.Feature));
                    break;
                case SimulatedEventNames.Error:
                    _errors++;
                    break;
                case SimulatedEventNames.Feedback:
                    _feedbackCount++;
                    _feedbackSum += e.Value;
                    break;
            }
        }
    }
}
