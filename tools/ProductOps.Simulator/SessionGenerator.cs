namespace ProductOps.Simulator;

/// <summary>Turns a user's profile and a day into that day's sessions and their events.</summary>
/// <remarks>Churners in decline show the warning signs here: fewer sessions, fewer non-core
/// features, more errors, more and lower feedback.</remarks>
internal sealed class SessionGenerator
{
    public const long MsPerDay = 86_400_000;
    private const int MaxSessionsPerDay = 24;
    private const long MinGapBetweenSessionsMs = 60_000;
    public const int ErrorCodeCount = 4;

    private static readonly double[] PurchaseRate = [0.004, 0.015, 0.03];
    private static readonly double[] PurchaseBase = [12.0, 49.0, 240.0];

    // Weekend activity relative to a weekday, by plan: paid plans are work tools.
    private static readonly double[] WeekendFactor = [0.85, 0.4, 0.35];

    private readonly int _seed;
    private readonly long _startMs;
    private readonly DayOfWeek _startDayOfWeek;
    private readonly IReadOnlyList<SimulatedFeature> _features;
    private readonly int[] _nextSequence;
    private readonly int[] _nextSession;
    private readonly long[] _starts = new long[MaxSessionsPerDay];

    public SessionGenerator(ProductSimulationOptions options, long startMs)
    {
        _seed = options.Seed;
        _startMs = startMs;
        _startDayOfWeek = options.Start.DayOfWeek;
        _features = options.Features;
        _nextSequence = new int[options.Users];
        _nextSession = new int[options.Users];
    }

    public void Generate(UserProfile user, int day, EventBuffer buffer)
    {
        if (!user.IsActiveOn(day))
        {
            return;
        }

        var rng = FastRandom.For(_seed, Purpose.Day, user.Index, day);
        var decline = user.DeclineOn(day);
        var weekday = (DayOfWeek)(((int)_startDayOfWeek + day) % 7);
        var rate = user.SessionsPerDay * (1.0 - (0.85 * decline));
        if (weekday is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            rate *= WeekendFactor[user.Plan];
        }

        if (day - user.SignupDay < 7)
        {
            rate *= 1.3;
        }

        var cancelsToday = user.Cancels && day == user.ChurnDay;
        var sessions = Math.Min(MaxSessionsPerDay, rng.Poisson(rate));
        if (sessions == 0 && (day == user.SignupDay || cancelsToday))
        {
            sessions = 1;
        }

        if (sessions == 0)
        {
            return;
        }

        var dayStart = _startMs + (day * MsPerDay);

        // A churner's last day ends at midnight, so ChurnedAt is a hard line in the ground truth.
        var latest = day == user.ChurnDay ? dayStart + MsPerDay - 1 : long.MaxValue;
        DrawSessionStarts(ref rng, user, dayStart, sessions);
        var cursor = long.MinValue;
        for (var s = 0; s < sessions; s++)
        {
            var start = Math.Max(_starts[s], cursor + MinGapBetweenSessionsMs);
            cursor = GenerateSession(ref rng, user, day, decline, Math.Min(start, latest), latest, buffer,
                lastOfDay: s == sessions - 1 && cancelsToday);
        }
    }

    private void DrawSessionStarts(ref FastRandom rng, UserProfile user, long dayStart, int sessions)
    {
        for (var s = 0; s < sessions; s++)
        {
            var hour = user.PeakHourUtc + (3.0 * rng.Normal());
            hour = ((hour % 24.0) + 24.0) % 24.0;
            _starts[s] = dayStart + (long)(hour * 3_600_000.0);
        }

        // Insertion sort: a handful of values.
        for (var i = 1; i < sessions; i++)
        {
            var value = _starts[i];
            var j = i - 1;
            while (j >= 0 && _starts[j] > value)
            {
                _starts[j + 1] = _starts[j];
                j--;
            }

            _starts[j + 1] = value;
        }
    }

    private long GenerateSession(
        ref FastRandom rng, UserProfile user, int day, double decline, long time, long latest, EventBuffer buffer,
        bool lastOfDay)
    {
        var session = _nextSession[user.Index]++;
        Add(buffer, user, session, time, EventKind.SessionStart, -1, 0, 0);
        time = Math.Min(time + 1_000 + rng.Next(20_000), latest);

        var featureCount = _features.Count;
        var offset = featureCount == 0 ? 0 : rng.Next(featureCount);
        var lastUsed = -1;
        for (var k = 0; k < featureCount; k++)
        {
            var f = (offset + k) % featureCount;
            if (user.AdoptDay[f] > day)
            {
                continue;
            }

            var feature = _features[f];
            var keep = feature.Core ? 1.0 - (0.3 * decline) : 1.0 - (0.9 * decline);
            if (!rng.Chance(feature.UsePerSession * keep))
            {
                continue;
            }

            var uses = 1 + rng.Poisson(feature.MeanUses - 1.0);
            for (var u = 0; u < uses; u++)
            {
                Add(buffer, user, session, time, EventKind.FeatureUsed, f, 0, 0);
                time = Math.Min(time + 2_000 + (long)rng.Exponential(40_000), latest);
            }

            lastUsed = f;
        }

        if (rng.Chance(0.03 * user.ErrorProneness + (0.3 * decline)))
        {
            var errors = 1 + rng.Poisson(2.0 * decline);
            for (var e = 0; e < errors; e++)
            {
                Add(buffer, user, session, time, EventKind.Error, lastUsed, 0, (byte)rng.Next(ErrorCodeCount));
                time = Math.Min(time + 500 + rng.Next(10_000), latest);
            }
        }

        if (lastUsed >= 0 && rng.Chance(0.05 + (0.15 * decline)))
        {
            var mean = _features[lastUsed].FeedbackMean + user.Satisfaction - (2.2 * decline);
            var score = Math.Clamp(Math.Round(mean + (0.7 * rng.Normal())), 1.0, 5.0);
            Add(buffer, user, session, time, EventKind.Feedback, lastUsed, score, 0);
            time = Math.Min(time + 5_000 + rng.Next(30_000), latest);
        }

        if (rng.Chance(PurchaseRate[user.Plan] * (1.0 - decline)))
        {
            var amount = Math.Round(PurchaseBase[user.Plan] * Math.Exp(0.5 * rng.Normal()), 2);
            Add(buffer, user, session, time, EventKind.Purchase, -1, amount, 0);
            time = Math.Min(time + 1_000 + rng.Next(10_000), latest);
        }

        if (lastOfDay)
        {
            Add(buffer, user, session, time, EventKind.SubscriptionCancelled, -1, 0, 0);
        }

        return time;
    }

    private void Add(
        EventBuffer buffer, UserProfile user, int session, long time, EventKind kind, int feature, double value,
        byte detail) =>
        buffer.Add(new SimulatedEvent
        {
            Time = time,
            Value = value,
            User = user.Index,
            Sequence = _nextSequence[user.Index]++,
            Session = session,
            Feature = (short)feature,
            Kind = kind,
            Detail = detail,
        });
}
