using System.Globalization;
using ProductOps.Domain;

namespace ProductOps.Testing;

/// <summary>
/// Seeded random event logs of one tenant whose times sit where bucket and window arithmetic
/// breaks: on UTC midnights and the millisecond before, on hour edges, on the first and last day
/// of 7- and 30-day windows, around 29 February 2024, at 0001-01-01 (the earliest time the
/// gateway accepts), and up to 400 days older than the user's other events, arriving in any
/// order. Retries repeat an event at once or much later, event ids are shared across users, churn
/// events tie with usage, Identify calls tie with each other, and values sit at the bounds
/// (±1e12): all of them, and every sum of them, exact in a double, so any order of summing agrees.
/// </summary>
public static class EdgeStreamGenerator
{
    public const string ChurnEvent = EventStreamGenerator.ChurnEvent;

    /// <summary>29 February 2024 as a UTC day number.</summary>
    public const int LeapDay = 19_782;

    private static readonly string[] Features = ["search", "export", "share"];
    private static readonly double[] Values = [0, 0.5, 3, 1e12, -1e12];

    /// <summary>A log in arrival order, still holding the duplicates retries cause.</summary>
    public static List<TrackedEvent> Generate(string tenant, int seed, int baseDay, int users = 80)
    {
        var rng = new Random(seed);
        var sent = new List<TrackedEvent>();
        var nextId = 0;
        for (var u = 0; u < users; u++)
        {
            var userId = string.Create(CultureInfo.InvariantCulture, $"user-{u:D3}");
            var events = 1 + rng.Next(25);
            var identifyOnly = IdentifiesOnly(u); // traits, and no usage: no lifecycle
            for (var i = 0; i < events; i++)
            {
                var ts = TimeOn(rng, DayNear(rng, baseDay));
                var eventId = string.Create(CultureInfo.InvariantCulture, $"e{nextId++}");
                var e = identifyOnly ? Identify(rng, tenant, userId, eventId, ts) : Event(rng, tenant, userId, eventId, ts);
                sent.Add(e);
                if (rng.NextDouble() < 0.2)
                {
                    // A tie: another event of the user at the very same instant.
                    var tieId = string.Create(CultureInfo.InvariantCulture, $"e{nextId++}");
                    sent.Add(identifyOnly ? Identify(rng, tenant, userId, tieId, ts) : Event(rng, tenant, userId, tieId, ts));
                }
            }
        }

        // Arrival order: any. Then retries, some at once and some after everything else.
        var arrival = sent.OrderBy(_ => rng.Next()).ToList();
        var log = new List<TrackedEvent>(arrival.Count * 2);
        foreach (var e in arrival)
        {
            log.Add(e);
            if (rng.NextDouble() < 0.05)
            {
                log.Add(e);
            }
        }

        log.AddRange(arrival.Where(_ => rng.NextDouble() < 0.05));
        foreach (var e in arrival.Where(e => !e.IsIdentify && rng.NextDouble() < 0.02).ToList())
        {
            // The same event id for another user: a distinct event.
            var other = rng.Next(users);
            other = IdentifiesOnly(other) ? other - 1 : other;
            log.Add(e with { UserId = string.Create(CultureInfo.InvariantCulture, $"user-{other:D3}") });
        }

        return log;
    }

    /// <summary>Times where the oracle and the live state are worth comparing for such a log.</summary>
    public static IReadOnlyList<long> AsOfTimes(int baseDay)
    {
        var times = new List<long>();
        foreach (var offset in new[] { -1, 0, 6, 7, 8, 13, 14, 15, 29, 30, 31, 40, 47, 75, 120 })
        {
            times.Add(TimeBuckets.DayStartMs(baseDay + offset));
            times.Add(TimeBuckets.DayStartMs(baseDay + offset) - 1);
        }

        return times;
    }

    /// <summary>One user in twenty only ever sends Identify calls.</summary>
    private static bool IdentifiesOnly(int user) => user % 20 == 19;

    private static int DayNear(Random rng, int baseDay)
    {
        var roll = rng.NextDouble();
        return roll < 0.55 ? baseDay + rng.Next(40)
            : roll < 0.75 ? baseDay - rng.Next(400) // days to a year older than the rest, arriving among them
            : roll < 0.85 ? baseDay + (7 * rng.Next(6)) // a 7-day window's first and last days
            : roll < 0.95 ? baseDay + (30 * rng.Next(3)) - rng.Next(2) // a 30-day window's
            : TimeBuckets.DayOf(ClockSkew.MinMs) + rng.Next(3); // the earliest days a timestamp holds
    }

    private static long TimeOn(Random rng, int day)
    {
        var start = TimeBuckets.DayStartMs(day);
        var time = rng.Next(7) switch
        {
            0 => start, // midnight
            1 => start - 1, // the day before's last millisecond
            2 => start + TimeBuckets.MsPerDay - 1,
            3 => start + (rng.Next(24) * TimeBuckets.MsPerHour),
            4 => start + (rng.Next(24) * TimeBuckets.MsPerHour) - 1,
            5 => start + (rng.Next(24 * 60) * 60_000L),
            _ => start + rng.NextInt64(TimeBuckets.MsPerDay),
        };
        return Math.Max(time, ClockSkew.MinMs);
    }

    private static TrackedEvent Event(Random rng, string tenant, string userId, string eventId, long ts)
    {
        var feature = rng.NextDouble() < 0.7 ? Features[rng.Next(Features.Length)] : string.Empty;
        var session = rng.NextDouble() < 0.4 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"{userId}-s{rng.Next(4)}");
        var value = Values[rng.Next(Values.Length)];
        return rng.Next(10) switch
        {
            0 => Identify(rng, tenant, userId, eventId, ts),
            1 => new TrackedEvent(tenant, userId, eventId, ChurnEvent, string.Empty, ts, 0, string.Empty, null),
            2 => new TrackedEvent(tenant, userId, eventId, EventNames.Feedback, Features[rng.Next(Features.Length)], ts, value, session, null),
            3 => new TrackedEvent(tenant, userId, eventId, EventNames.SessionStart, feature, ts, 0, session, null),
            4 => new TrackedEvent(tenant, userId, eventId, EventNames.Error, feature, ts, 0, session, null),
            _ => new TrackedEvent(tenant, userId, eventId, "click", feature, ts, value, session, null),
        };
    }

    /// <summary>Sets or deletes (an empty value) the user's plan.</summary>
    private static TrackedEvent Identify(Random rng, string tenant, string userId, string eventId, long ts) =>
        new(tenant, userId, eventId, EventNames.Identify, string.Empty, ts, 0, string.Empty, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["plan"] = rng.NextDouble() < 0.2 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"p{rng.Next(3)}"),
        });
}
