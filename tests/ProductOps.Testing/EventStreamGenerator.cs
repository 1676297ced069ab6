using ProductOps.Domain;

namespace ProductOps.Testing;

/// <summary>
/// Seeded random event logs of one tenant, built to reach the awkward cases: bursts of activity
/// with long gaps (returning users), churn events before and after re-engagement, out-of-order
/// and very late events, retried (duplicate) events, event ids shared across users, Identify
/// events with tied timestamps and deletions, feedback, sessions, zero and negative values.
/// </summary>
public static class EventStreamGenerator
{
    public const string Tenant = "acme";
    public const string ChurnEvent = "subscription_cancelled";
    public const string OtherChurnEvent = "account_deleted";

    private static readonly string[] Features = ["search", "export", "share", "dashboard", "alerts", "import"];
    private static readonly string[] Names = ["click", "page_view", "save", "open"];
    private static readonly string[] Plans = ["free", "pro", "team", string.Empty];
    private static readonly string[] Countries = ["de", "us", "fr"];

    /// <summary>A log in arrival order; it still holds the duplicates a client's retries cause.</summary>
    public static List<TrackedEvent> Generate(int seed, int firstDay, int users = 300, int days = 60)
    {
        var rng = new Random(seed);
        var keyed = new List<(double Key, TrackedEvent Event)>();
        var nextId = 0;

        for (var u = 0; u < users; u++)
        {
            var userId = $"user-{u:D4}";
            var own = new List<TrackedEvent>();
            var identifyOnly = rng.NextDouble() < 0.03;
            var churner = rng.NextDouble() < 0.2;
            var usageTimes = new List<long>();

            if (!identifyOnly)
            {
                // Bursts of consecutive active days; the gaps between them make dormant and returning users.
                var day = rng.Next(days);
                var bursts = 1 + rng.Next(4);
                for (var b = 0; b < bursts && day < days; b++)
                {
                    var length = 1 + rng.Next(5);
                    for (var d = day; d < Math.Min(days, day + length); d++)
                    {
                        var perDay = 1 + rng.Next(6);
                        for (var i = 0; i < perDay; i++)
                        {
                            var ts = TimeBuckets.DayStartMs(firstDay + d) + rng.NextInt64(TimeBuckets.MsPerDay);
                            usageTimes.Add(ts);
                            own.Add(Usage(rng, userId, $"e{nextId++}", ts));
                        }
                    }

                    day += length + rng.Next(3) + (rng.NextDouble() < 0.5 ? 8 + rng.Next(12) : 0);
                }

                if (churner)
                {
                    // Either the user's last word, or followed by more use (re-engaged), or tied with it.
                    var last = usageTimes.Max();
                    var roll = rng.NextDouble();
                    var at = roll < 0.5 ? last + rng.NextInt64(1, 3 * TimeBuckets.MsPerDay)
                        : roll < 0.8 ? usageTimes[rng.Next(usageTimes.Count)] - rng.NextInt64(TimeBuckets.MsPerDay)
                        : last;
                    var name = rng.NextDouble() < 0.8 ? ChurnEvent : OtherChurnEvent;
                    own.Add(new TrackedEvent(Tenant, userId, $"e{nextId++}", name, string.Empty, at, 0, string.Empty, null));
                }
            }

            // Identify events share a few timestamps so that ties must be broken by log order.
            var traitBase = TimeBuckets.DayStartMs(firstDay + rng.Next(days));
            var identifies = rng.Next(5);
            for (var i = 0; i < identifies; i++)
            {
                var ts = traitBase + (rng.Next(3) * TimeBuckets.MsPerHour);
                var traits = new Dictionary<string, string>(StringComparer.Ordinal);
                if (rng.NextDouble() < 0.8)
                {
                    traits["plan"] = Plans[rng.Next(Plans.Length)];
                }

                if (rng.NextDouble() < 0.5)
                {
                    traits["country"] = Countries[rng.Next(Countries.Length)];
                }

                if (rng.NextDouble() < 0.3)
                {
                    traits["email"] = rng.NextDouble() < 0.3 ? string.Empty : $"{userId}@example.com";
                }

                var properties = rng.NextDouble() < 0.1 ? null : traits;
                own.Add(new TrackedEvent(Tenant, userId, $"e{nextId++}", EventNames.Identify, string.Empty, ts, 0, string.Empty, properties));
            }

            foreach (var e in own)
            {
                // Arrival order: mostly near event time, some events days late, some anywhere at all.
                var roll = rng.NextDouble();
                var key = roll < 0.75 ? e.TimestampMs + (rng.NextDouble() * 6 * TimeBuckets.MsPerDay)
                    : roll < 0.95 ? e.TimestampMs + (rng.NextDouble() * 30 * TimeBuckets.MsPerDay)
                    : TimeBuckets.DayStartMs(firstDay) + (rng.NextDouble() * days * TimeBuckets.MsPerDay);
                keyed.Add((key, e));

                if (rng.NextDouble() < 0.05)
                {
                    keyed.Add((key + (rng.NextDouble() * 2 * TimeBuckets.MsPerDay), e)); // a retry
                }
            }
        }

        // A few event ids reused by other users: distinct events, since dedup is per user.
        var reused = keyed.Count / 100;
        for (var i = 0; i < reused; i++)
        {
            var (key, e) = keyed[rng.Next(keyed.Count)];
            if (!e.IsIdentify)
            {
                var other = $"user-{rng.Next(users):D4}";
                keyed.Add((key + 1, e with { UserId = other }));
            }
        }

        return [.. keyed.OrderBy(k => k.Key).Select(k => k.Event)];
    }

    private static TrackedEvent Usage(Random rng, string userId, string eventId, long ts)
    {
        var session = rng.NextDouble() < 0.15 ? string.Empty : $"{userId}-s{rng.Next(6)}";
        if (rng.NextDouble() < 0.1)
        {
            // Feedback always names a feature; the score is the value.
            return new TrackedEvent(Tenant, userId, eventId, EventNames.Feedback, PickFeature(rng), ts, 1 + rng.Next(5), session, null);
        }

        var feature = rng.NextDouble() < 0.7 ? PickFeature(rng) : string.Empty;
        var roll = rng.NextDouble();
        var value = roll < 0.4 ? 0 : roll < 0.95 ? Math.Round(rng.NextDouble() * 100, 2) : -Math.Round(rng.NextDouble() * 10, 3);
        return new TrackedEvent(Tenant, userId, eventId, Names[rng.Next(Names.Length)], feature, ts, value, session, null);
    }

    /// <summary>Skewed, so some features are busy and some rare.</summary>
    private static string PickFeature(Random rng) => Features[(int)Math.Floor(Math.Pow(rng.NextDouble(), 2) * Features.Length)];
}
