using System.Collections.Concurrent;
using System.Text;
using Google.Protobuf.Collections;
using Microsoft.Extensions.Options;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Ingest;

/// <summary>Turns a request into validated domain events: request-level limits fail the whole
/// request; a bad event is rejected on its own, with its index, field and reason.</summary>
public sealed class EventIntake(IOptions<IngestLimits> limits, TimeProvider time)
{
    /// <summary>The reason for a string field whose bytes are not UTF-8.</summary>
    internal const string NotUtf8 = "is not valid UTF-8";

    private readonly ConcurrentDictionary<string, StringCache> _strings = new(StringComparer.Ordinal);

    /// <summary>Reads a TrackRequest from its wire form (<see cref="TrackRequestReader"/>).</summary>
    public IntakeResult Accept(string tenant, ReadOnlySpan<byte> request)
    {
        var limit = limits.Value;
        var head = TrackRequestReader.ReadHead(request);
        if (head.InvalidUtf8Field is { } invalidField)
        {
            throw new RequestValidationException(new ValidationFailure(invalidField, NotUtf8));
        }

        var batchId = Encoding.UTF8.GetString(head.BatchId);
        CheckRequest(head.EventCount, request.Length, batchId, limit);

        var strings = StringsOf(tenant);
        var receivedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        long? sentAtMs = head.SentAt is { } sentAt ? ToMs(sentAt, "sent_at") : null;
        var accepted = new List<TrackedEvent>(head.EventCount);
        var rejected = new List<RejectedEvent>();
        var index = -1;
        foreach (var e in TrackRequestReader.Events(request))
        {
            index++;
            long timestampMs;
            if (e.Timestamp is not { } timestamp)
            {
                timestampMs = receivedAtMs;
            }
            else if (!timestamp.TryToUnixMs(out var clientMs))
            {
                // A per-event timestamp out of range is a rejection of that event, not of the request.
                rejected.Add(new RejectedEvent { Index = index, Field = "timestamp", Reason = "is not a valid timestamp" });
                continue;
            }
            else if (ClockSkew.Correct(clientMs, sentAtMs, receivedAtMs, out timestampMs) is { } skewFailure)
            {
                rejected.Add(new RejectedEvent { Index = index, Field = skewFailure.Field, Reason = skewFailure.Reason });
                continue;
            }

            if (e.InvalidUtf8Field is { } field)
            {
                // Protobuf's parser refused the whole request for this; one event is enough.
                rejected.Add(new RejectedEvent { Index = index, Field = field, Reason = NotUtf8 });
                continue;
            }

            var eventId = Encoding.UTF8.GetString(e.EventId);
            var userId = Encoding.UTF8.GetString(e.UserId);
            var name = strings.Intern(e.Name);
            var feature = strings.Intern(e.Feature);
            var sessionId = Encoding.UTF8.GetString(e.SessionId);
            var properties = e.PropertyEntries == 0 ? null : PropertiesOf(e, strings);
            var candidate = new EventCandidate(eventId, userId, name, feature, timestampMs, e.Value, sessionId, properties, e.Bytes.Length);
            if (EventValidator.Check(candidate, limit, receivedAtMs) is { } failure)
            {
                rejected.Add(new RejectedEvent { Index = index, Field = failure.Field, Reason = failure.Reason });
                continue;
            }

            accepted.Add(new TrackedEvent(tenant, userId, eventId, name, feature, timestampMs, e.Value, sessionId, properties));
        }

        return new IntakeResult(batchId, accepted, rejected);
    }

    public TrackedEvent AcceptIdentify(string tenant, IdentifyRequest request)
    {
        var limit = limits.Value;
        var receivedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var timestampMs = request.Timestamp is null ? receivedAtMs : ToMs(new WireTimestamp(request.Timestamp.Seconds, request.Timestamp.Nanos), "timestamp");
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

    private static Dictionary<string, string> PropertiesOf(in EventFields e, StringCache strings)
    {
        var properties = new Dictionary<string, string>(e.PropertyEntries, StringComparer.Ordinal);
        var entries = e.Properties();
        while (entries.MoveNext())
        {
            properties[strings.Intern(entries.Key)] = Encoding.UTF8.GetString(entries.Value);
        }

        return properties;
    }

    /// <summary>Fails the request on a request-level limit.</summary>
    private static void CheckRequest(int events, int sizeBytes, string batchId, IngestLimits limit)
    {
        if (events == 0)
        {
            throw new RequestValidationException(new ValidationFailure("events", "at least one event is required"));
        }

        if (events > limit.MaxEventsPerRequest)
        {
            throw new RequestValidationException(new ValidationFailure(
                "events", $"{events} events in one request; at most {limit.MaxEventsPerRequest} are allowed, split the batch"));
        }

        if (sizeBytes > limit.MaxRequestBytes)
        {
            throw new RequestValidationException(new ValidationFailure(
                "events", $"the request is {sizeBytes} bytes encoded; at most {limit.MaxRequestBytes} are allowed, split the batch"));
        }

        if (EventValidator.Id("batch_id", batchId, limit, required: false) is { } failure)
        {
            throw new RequestValidationException(failure);
        }
    }

    private static long ToMs(WireTimestamp timestamp, string field) =>
        timestamp.TryToUnixMs(out var ms) ? ms : throw new RequestValidationException(new ValidationFailure(field, "is not a valid timestamp"));
}
