using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using ProductOps.Contracts.V1;

namespace ProductOps.Simulator;

/// <summary>Turns compact simulated events into protobuf events with deterministic ids.</summary>
internal sealed class EventFactory
{
    private static readonly string[] Names =
    [
        SimulatedEventNames.SessionStart,
        SimulatedEventNames.FeatureUsed,
        SimulatedEventNames.Purchase,
        SimulatedEventNames.Feedback,
        SimulatedEventNames.Error,
        SimulatedEventNames.SubscriptionCancelled,
    ];

    private static readonly string[] ErrorCodes = ["timeout", "http_500", "sync_failed", "render_error"];

    private readonly string[] _userIds;
    private readonly string[] _features;
    private readonly string _eventPrefix;
    private readonly string _sessionPrefix;

    // The session id string of each user's current session, built once per session.
    private readonly string?[] _sessionIds;
    private readonly int[] _sessionNumbers;

    public EventFactory(IReadOnlyList<UserProfile> users, IReadOnlyList<SimulatedFeature> features, string runKey)
    {
        _userIds = new string[users.Count];
        for (var i = 0; i < _userIds.Length; i++)
        {
            _userIds[i] = users[i].UserId;
        }

        _features = new string[features.Count];
        for (var f = 0; f < _features.Length; f++)
        {
            _features[f] = features[f].Name;
        }

        _eventPrefix = "e" + runKey + "-";
        _sessionPrefix = "s" + runKey + "-";
        _sessionIds = new string?[users.Count];
        _sessionNumbers = new int[users.Count];
    }

    public Event Create(in SimulatedEvent source)
    {
        var created = new Event
        {
            EventId = EventId(source.Sequence),
            UserId = _userIds[source.User],
            Name = Names[(int)source.Kind],
            Timestamp = new Timestamp
            {
                Seconds = Math.DivRem(source.Time, 1000, out var ms),
                Nanos = (int)ms * 1_000_000,
            },
            Value = source.Value,
            SessionId = SessionId(source.User, source.Session),
        };
        if (source.Feature >= 0)
        {
            created.Feature = _features[source.Feature];
        }

        if (source.Kind == EventKind.Error)
        {
            created.Properties.Add("code", ErrorCodes[source.Detail]);
        }

        return created;
    }

    /// <summary>Unique per user, the server's deduplication key: a rerun of the same simulation
    /// resends the same ids.</summary>
    private string EventId(int sequence)
    {
        Span<char> buffer = stackalloc char[48];
        _eventPrefix.CopyTo(buffer);
        sequence.TryFormat(buffer[_eventPrefix.Length..], out var written, provider: CultureInfo.InvariantCulture);
        return new string(buffer[..(_eventPrefix.Length + written)]);
    }

    private string SessionId(int user, int session)
    {
        var cached = _sessionIds[user];
        if (cached is not null && _sessionNumbers[user] == session)
        {
            return cached;
        }

        Span<char> buffer = stackalloc char[64];
        _sessionPrefix.CopyTo(buffer);
        var length = _sessionPrefix.Length;
        user.TryFormat(buffer[length..], out var written, provider: CultureInfo.InvariantCulture);
        length += written;
        buffer[length++] = '-';
        session.TryFormat(buffer[length..], out written, provider: CultureInfo.InvariantCulture);
        length += written;
        var id = new string(buffer[..length]);
        _sessionIds[user] = id;
        _sessionNumbers[user] = session;
        return id;
    }
}
