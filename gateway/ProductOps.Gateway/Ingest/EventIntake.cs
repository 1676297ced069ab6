using System.Collections.Concurrent;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Ingest;

/// <summary>Turns a request into validated domain events: request-level limits fail the whole
/// request; a bad event is rejected on its own, with its index, field and reason.</summary>
public sealed class EventIntake(IOptions<IngestLimits> limits, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, StringCache> _strings = new(StringComparer.Ordinal);

    public IntakeResult Accept(string tenant, TrackRequest request)
    {
        var limit = limits.Value;
        var requestBytes = CheckRequest(request, limit);
        var sizeSlack = requestBytes - SumOfSizeFloors(request);

        var strings = StringsOf(tenant);
        var receivedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        long? sentAtMs = request.SentAt is null ? null : ToMs(request.SentAt, "sent_at");
        var accepted = new List<TrackedEvent>(request.Events.Count);
        var rejected = new List<RejectedEvent>();
        for (var i = 0; i < request.Events.Count; i++)
        {
            var e = request.Events[i];
            long timestampMs;
            if (e.Timestamp is null)
            {
                timestampMs = receivedAtMs;
            }
            else if (TryToMs(e.Timestamp, out var clientMs))
            {
                timestampMs = ClockSkew.Correct(clientMs, sentAtMs, receivedAtMs);
            }
            else
            {
                // A per-event timestamp out of range is a rejection of that event, not of the request.
                rejected.Add(new RejectedEvent { Index = i, Field = "timestamp", Reason = "is not a valid timestamp" });
                continue;
            }

            // An event takes at most the request's size less the floors of the other events; only
            // when that bound is over the limit is the event measured (a batch of small events never is).
            var sizeBound = SizeFloor(e) + sizeSlack;
            var sizeBytes = sizeBound <= limit.MaxEventBytes ? sizeBound : e.CalculateSize();
            var name = strings.Intern(e.Name);
            var feature = strings.Intern(e.Feature);
            var properties = e.Properties.Count == 0 ? null : Copy(e.Properties, strings);
            var candidate = new EventCandidate(e.EventId, e.UserId, name, feature, timestampMs, e.Value, e.SessionId, properties, sizeBytes);
            if (EventValidator.Check(candidate, limit, receivedAtMs) is { } failure)
            {
                rejected.Add(new RejectedEvent { Index = i, Field = failure.Field, Reason = failure.Reason });
                continue;
            }

            accepted.Add(new TrackedEvent(tenant, e.UserId, e.EventId, name, feature, timestampMs, e.Value, e.SessionId, properties));
        }

        return new IntakeResult(accepted, rejected);
    }

    public TrackedEvent AcceptIdentify(string tenant, IdentifyRequest request)
    {
        var limit = limits.Value;
        var receivedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var timestampMs = request.Timestamp is null ? receivedAtMs : ToMs(request.Timestamp, "timestamp");
        var traits = Copy(request.Traits, StringsOf(tenant));
        // Validated as an event named after a user action, then stored under the reserved name.
        var candidate = new EventCandidate(request.EventId, request.UserId, "identify", string.Empty, timestampMs, 0, string.Empty, traits, request.CalculateSize());
        if (traits.Count == 0)
        {
            throw new RequestValidationException(new ValidationFailure("traits", "at least one trait is required"));
        }

        if (EventValidator.Check(candidate, limit, receivedAtMs) is { } failure)
        {
            throw new RequestValidationException(failure.Field == "properties" ? failure with { Field = "traits" } : failure);
        }

        return new TrackedEvent(tenant, request.UserId, request.EventId, EventNames.Identify, string.Empty, timestampMs, 0, string.Empty, traits);
    }

    private StringCache StringsOf(string tenant) => _strings.GetOrAdd(tenant, static _ => new StringCache());

    private static Dictionary<string, string> Copy(MapField<string, string> properties, StringCache strings)
    {
        var copy = new Dictionary<string, string>(properties.Count, StringComparer.Ordinal);
        foreach (var (key, value) in properties)
        {
            copy.Add(strings.Intern(key), value);
        }

        return copy;
    }

    /// <summary>The fewest bytes an event can take in its request: its tag and length, then a tag,
    /// a length and at least a byte per character of each string field it has.</summary>
    private static int SizeFloor(Event e) =>
        2 + FieldFloor(e.EventId) + FieldFloor(e.UserId) + FieldFloor(e.Name) + FieldFloor(e.Feature) + FieldFloor(e.SessionId);

    private static int FieldFloor(string value) => value.Length == 0 ? 0 : 2 + value.Length;

    private static int SumOfSizeFloors(TrackRequest request)
    {
        var sum = 0;
        foreach (var e in request.Events)
        {
            sum += SizeFloor(e);
        }

        return sum;
    }

    /// <summary>Fails the request on a request-level limit; returns its encoded size.</summary>
    private static int CheckRequest(TrackRequest request, IngestLimits limit)
    {
        if (request.Events.Count == 0)
        {
            throw new RequestValidationException(new ValidationFailure("events", "at least one event is required"));
        }

        if (request.Events.Count > limit.MaxEventsPerRequest)
        {
            throw new RequestValidationException(new ValidationFailure(
                "events", $"{request.Events.Count} events in one request; at most {limit.MaxEventsPerRequest} are allowed, split the batch"));
        }

        var size = request.CalculateSize();
        if (size > limit.MaxRequestBytes)
        {
            throw new RequestValidationException(new ValidationFailure(
                "events", $"the request is {size} bytes encoded; at most {limit.MaxRequestBytes} are allowed, split the batch"));
        }

        if (EventValidator.Id("batch_id", request.BatchId, limit, required: false) is { } failure)
        {
            throw new RequestValidationException(failure);
        }

        return size;
    }

    private static long ToMs(Timestamp timestamp, string field)
    {
        try
        {
            return timestamp.ToDateTimeOffset().ToUnixTimeMilliseconds();
        }
        catch (InvalidOperationException)
        {
            throw new RequestValidationException(new ValidationFailure(field, "is not a valid timestamp"));
        }
    }

    private static bool TryToMs(Timestamp timestamp, out long ms)
    {
        try
        {
            ms = timestamp.ToDateTimeOffset().ToUnixTimeMilliseconds();
            return true;
        }
        catch (InvalidOperationException)
        {
            ms = 0;
            return false;
        }
    }
}
