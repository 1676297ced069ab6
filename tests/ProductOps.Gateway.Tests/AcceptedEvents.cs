using Google.Protobuf.WellKnownTypes;
using ProductOps.Contracts.V1;
using ProductOps.Domain;

namespace ProductOps.Gateway.Tests;

/// <summary>
/// What the server stored, as the client can know it: every event of a request that the
/// response did not reject, turned into the domain event the gateway writes (tenant demo,
/// timestamps in whole milliseconds, no properties when empty, Identify under its reserved
/// name), in the order sent. The replay oracle recomputes every aggregate from these.
/// </summary>
public sealed class AcceptedEvents
{
    private readonly List<TrackedEvent> _events = [];

    /// <summary>Distinct (user, event id) pairs: what the aggregates must count once each.</summary>
    public int Count
    {
        get
        {
            lock (_events)
            {
                return ReplayOracle.Deduplicate(_events).Count;
            }
        }
    }

    public void Add(TrackRequest request, TrackResponse response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        if (request.SentAt is not null)
        {
            throw new ArgumentException("the oracle cannot know the server's receive time that sent_at corrects by", nameof(request));
        }

        var rejected = response.Rejected.Select(r => r.Index).ToHashSet();
        var accepted = request.Events.Where((_, index) => !rejected.Contains(index)).Select(Tracked).ToList();
        lock (_events)
        {
            _events.AddRange(accepted);
        }
    }

    public void Add(IdentifyRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var identify = new TrackedEvent(
            DemoTenant.Id, request.UserId, request.EventId, EventNames.Identify, string.Empty,
            Ms(request.Timestamp ?? throw new ArgumentException("the oracle needs the timestamp", nameof(request))),
            0, string.Empty, new Dictionary<string, string>(request.Traits, StringComparer.Ordinal));
        lock (_events)
        {
            _events.Add(identify);
        }
    }

    public OracleResult Replay()
    {
        lock (_events)
        {
            return ReplayOracle.Replay(ReplayOracle.Deduplicate(_events), TenantRules.Default);
        }
    }

    public static long Ms(Timestamp timestamp)
    {
        ArgumentNullException.ThrowIfNull(timestamp);
        return timestamp.ToDateTimeOffset().ToUnixTimeMilliseconds();
    }

    private static TrackedEvent Tracked(Event e) => new(
        DemoTenant.Id,
        e.UserId,
        e.EventId,
        e.Name,
        e.Feature,
        Ms(e.Timestamp ?? throw new ArgumentException($"event {e.EventId}: the oracle needs the timestamp", nameof(e))),
        e.Value,
        e.SessionId,
        e.Properties.Count == 0 ? null : new Dictionary<string, string>(e.Properties, StringComparer.Ordinal));
}
