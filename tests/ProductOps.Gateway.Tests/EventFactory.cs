using Google.Protobuf.WellKnownTypes;
using ProductOps.Contracts.V1;

namespace ProductOps.Gateway.Tests;

/// <summary>Builds usage events: single ones, and deterministic mixes over users, features,
/// sessions and days. Values are multiples of 0.25, so sums are exact in any order.</summary>
public static class EventFactory
{
    public static Event Event(string userId, string eventId, string name, DateTimeOffset timestamp, string feature = "", double value = 0, string sessionId = "") => new()
    {
        UserId = userId,
        EventId = eventId,
        Name = name,
        Feature = feature,
        Timestamp = Timestamp.FromDateTimeOffset(timestamp),
        Value = value,
        SessionId = sessionId,
    };

    /// <summary>A unique prefix for one test's user ids, event ids and features on a shared node.</summary>
    public static string Prefix(string area) => $"{area}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// <paramref name="count"/> events of <paramref name="users"/> users over the
    /// <paramref name="days"/> days before <paramref name="now"/>: feature use, sessions,
    /// purchases, feedback scores and page views without a feature.
    /// </summary>
    public static List<Event> Usage(string prefix, int users, IReadOnlyList<string> features, int count, int seed, DateTimeOffset now, int days = 10)
    {
        ArgumentNullException.ThrowIfNull(features);
        var random = new Random(seed);
        var minutes = (days * 24 * 60) - 2;
        var events = new List<Event>(count);
        for (var i = 0; i < count; i++)
        {
            var user = $"{prefix}-u{random.Next(users)}";
            var at = now - TimeSpan.FromMinutes(1 + random.Next(minutes));
            var session = $"{user}-s{random.Next(4)}";
            var feature = features[random.Next(features.Count)];
            var id = $"{prefix}-e{i}";
            events.Add(random.Next(10) switch
            {
                < 5 => Event(user, id, "feature_used", at, feature, random.Next(4) * 0.25, session),
                5 => Event(user, id, "session_start", at, sessionId: session),
                6 => Event(user, id, "purchase", at, value: random.Next(1, 200) * 0.5, sessionId: session),
                7 => Event(user, id, "feedback", at, feature, random.Next(1, 6)),
                8 => Event(user, id, "page_view", at),
                _ => WithProperty(Event(user, id, "feature_used", at, feature, sessionId: session), "source", random.Next(2) == 0 ? "menu" : "shortcut"),
            });
        }

        return events;
    }

    /// <summary>Splits events into requests of at most <paramref name="size"/> events.</summary>
    public static List<TrackRequest> Batches(IEnumerable<Event> events, int size, string batchPrefix)
    {
        var batches = new List<TrackRequest>();
        foreach (var chunk in events.Chunk(size))
        {
            var request = new TrackRequest { BatchId = $"{batchPrefix}-{batches.Count}" };
            request.Events.AddRange(chunk);
            batches.Add(request);
        }

        return batches;
    }

    public static Event WithProperty(Event e, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Properties[key] = value;
        return e;
    }
}
