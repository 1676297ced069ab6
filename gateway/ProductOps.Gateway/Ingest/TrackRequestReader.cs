using System.Text.Unicode;

namespace ProductOps.Gateway.Ingest;

/// <summary>
/// A <c>TrackRequest</c> (protos/productops/v1/ingest.proto) read in place from its wire form,
/// with protobuf's semantics: the last occurrence of a field wins, a message field's occurrences
/// merge field by field, each occurrence of a repeated field is one more element, a map entry
/// without its key or value has the empty string, unknown fields are skipped. Nothing is
/// allocated per event: the intake decodes the strings it keeps and shares the repeated ones,
/// where protobuf's parser made an Event, a Timestamp, an empty map with its dictionary and
/// list, and five strings for every event.
/// </summary>
internal static class TrackRequestReader
{
    // Tags: field number << 3 | wire type (2: length-delimited, 1: 64-bit, 0: varint).
    private const uint BatchIdTag = 1 << 3 | 2;
    private const uint EventsTag = 2 << 3 | 2;
    private const uint SentAtTag = 3 << 3 | 2;

    private const uint EventIdTag = 1 << 3 | 2;
    private const uint UserIdTag = 2 << 3 | 2;
    private const uint NameTag = 3 << 3 | 2;
    private const uint FeatureTag = 4 << 3 | 2;
    private const uint TimestampTag = 5 << 3 | 2;
    private const uint ValueTag = 6 << 3 | 1;
    private const uint PropertiesTag = 7 << 3 | 2;
    private const uint SessionIdTag = 8 << 3 | 2;

    private const uint SecondsTag = 1 << 3 | 0;
    private const uint NanosTag = 2 << 3 | 0;

    private const uint KeyTag = 1 << 3 | 2;
    private const uint EntryValueTag = 2 << 3 | 2;

    /// <summary>The request's own fields and how many events it has; the events are only passed over.</summary>
    public static TrackRequestHead ReadHead(ReadOnlySpan<byte> request)
    {
        var head = default(TrackRequestHead);
        var reader = new WireReader(request, 0);
        while (!reader.AtEnd)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case BatchIdTag:
                    head.BatchId = String(ref reader, "batch_id", ref head.InvalidUtf8Field);
                    break;
                case EventsTag:
                    reader.ReadLengthDelimited(out _);
                    head.EventCount++;
                    break;
                case SentAtTag:
                    var sentAt = reader.ReadLengthDelimited(out var start);
                    head.SentAt = ReadTimestamp(sentAt, start, head.SentAt);
                    break;
                default:
                    reader.Skip(tag);
                    break;
            }
        }

        return head;
    }

    /// <summary>The events in request order, each read whole (a malformed one fails the request).</summary>
    public static EventReader Events(ReadOnlySpan<byte> request) => new(request);

    private static EventFields ReadEvent(ReadOnlySpan<byte> bytes, int start)
    {
        var e = new EventFields { Bytes = bytes, Start = start };
        var reader = new WireReader(bytes, start);
        while (!reader.AtEnd)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case EventIdTag:
                    e.EventId = String(ref reader, "event_id", ref e.InvalidUtf8Field);
                    break;
                case UserIdTag:
                    e.UserId = String(ref reader, "user_id", ref e.InvalidUtf8Field);
                    break;
                case NameTag:
                    e.Name = String(ref reader, "name", ref e.InvalidUtf8Field);
                    break;
                case FeatureTag:
                    e.Feature = String(ref reader, "feature", ref e.InvalidUtf8Field);
                    break;
                case TimestampTag:
                    var timestamp = reader.ReadLengthDelimited(out var timestampStart);
                    e.Timestamp = ReadTimestamp(timestamp, timestampStart, e.Timestamp);
                    break;
                case ValueTag:
                    e.Value = BitConverter.UInt64BitsToDouble(reader.ReadFixed64());
                    break;
                case PropertiesTag:
                    // Checked now, so a malformed entry fails the request whatever becomes of its event.
                    var entry = reader.ReadLengthDelimited(out var entryStart);
                    ReadEntry(entry, entryStart, out _, out _, out var valid);
                    e.InvalidUtf8Field ??= valid ? null : "properties";
                    e.PropertyEntries++;
                    break;
                case SessionIdTag:
                    e.SessionId = String(ref reader, "session_id", ref e.InvalidUtf8Field);
                    break;
                default:
                    reader.Skip(tag);
                    break;
            }
        }

        return e;
    }

    /// <summary>A string field's bytes; the field is named when they are not UTF-8, which
    /// protobuf requires of every occurrence, a later one overriding or not.</summary>
    private static ReadOnlySpan<byte> String(scoped ref WireReader reader, string field, scoped ref string? invalidUtf8Field)
    {
        var bytes = reader.ReadLengthDelimited(out _);
        invalidUtf8Field ??= Utf8.IsValid(bytes) ? null : field;
        return bytes;
    }

    /// <summary>A map entry's key and value (the last of each); <paramref name="valid"/> is false
    /// when any occurrence of either is not UTF-8.</summary>
    private static void ReadEntry(ReadOnlySpan<byte> bytes, int start, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value, out bool valid)
    {
        key = default;
        value = default;
        string? invalid = null;
        var reader = new WireReader(bytes, start);
        while (!reader.AtEnd)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case KeyTag:
                    key = String(ref reader, "properties", ref invalid);
                    break;
                case EntryValueTag:
                    value = String(ref reader, "properties", ref invalid);
                    break;
                default:
                    reader.Skip(tag);
                    break;
            }
        }

        valid = invalid is null;
    }

    /// <summary>A Timestamp's occurrence merged over the ones before it, field by field.</summary>
    private static WireTimestamp ReadTimestamp(ReadOnlySpan<byte> bytes, int start, WireTimestamp? before)
    {
        var (seconds, nanos) = before ?? default;
        var reader = new WireReader(bytes, start);
        while (!reader.AtEnd)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case SecondsTag:
                    seconds = (long)reader.ReadVarint();
                    break;
                case NanosTag:
                    nanos = (int)reader.ReadVarint();
                    break;
                default:
                    reader.Skip(tag);
                    break;
            }
        }

        return new WireTimestamp(seconds, nanos);
    }

    /// <summary>Walks the request's events field by field.</summary>
    internal ref struct EventReader(ReadOnlySpan<byte> request)
    {
        private WireReader _reader = new(request, 0);

        public EventFields Current { get; private set; }

        public readonly EventReader GetEnumerator() => this;

        public bool MoveNext()
        {
            while (!_reader.AtEnd)
            {
                var tag = _reader.ReadTag();
                if (tag == EventsTag)
                {
                    var bytes = _reader.ReadLengthDelimited(out var start);
                    Current = ReadEvent(bytes, start);
                    return true;
                }

                _reader.Skip(tag);
            }

            return false;
        }
    }

    /// <summary>An event's property entries, in wire order (a repeated key: the last one wins).</summary>
    internal ref struct PropertyReader(ReadOnlySpan<byte> eventBytes, int start)
    {
        private WireReader _reader = new(eventBytes, start);

        public ReadOnlySpan<byte> Key { get; private set; }

        public ReadOnlySpan<byte> Value { get; private set; }

        public bool MoveNext()
        {
            while (!_reader.AtEnd)
            {
                var tag = _reader.ReadTag();
                if (tag == PropertiesTag)
                {
                    var entry = _reader.ReadLengthDelimited(out var entryStart);
                    ReadEntry(entry, entryStart, out var key, out var value, out _);
                    Key = key;
                    Value = value;
                    return true;
                }

                _reader.Skip(tag);
            }

            return false;
        }
    }
}

/// <summary>A TrackRequest's own fields, as bytes; <see cref="EventCount"/> counts its events.</summary>
internal ref struct TrackRequestHead
{
    public ReadOnlySpan<byte> BatchId;
    public WireTimestamp? SentAt;
    public int EventCount;

    /// <summary>"batch_id" when an occurrence of it is not UTF-8.</summary>
    public string? InvalidUtf8Field;
}

/// <summary>One event's fields as bytes of the request; absent strings are empty.</summary>
internal ref struct EventFields
{
    public ReadOnlySpan<byte> EventId;
    public ReadOnlySpan<byte> UserId;
    public ReadOnlySpan<byte> Name;
    public ReadOnlySpan<byte> Feature;
    public ReadOnlySpan<byte> SessionId;
    public WireTimestamp? Timestamp;
    public double Value;

    /// <summary>The first field with an occurrence that is not UTF-8 ("properties" for a map entry's key or value).</summary>
    public string? InvalidUtf8Field;

    /// <summary>Map entries on the wire, a repeated key counted each time.</summary>
    public int PropertyEntries;

    /// <summary>The event's encoded bytes, and where they start in the request.</summary>
    public ReadOnlySpan<byte> Bytes;
    public int Start;

    public readonly TrackRequestReader.PropertyReader Properties() => new(Bytes, Start);
}

/// <summary>A google.protobuf.Timestamp as sent: seconds since the Unix epoch and nanoseconds.</summary>
internal readonly record struct WireTimestamp(long Seconds, int Nanos)
{
    // The range protobuf's Timestamp turns into a date: 0001-01-01 to 9999-12-31, nanos within their second.
    private const long MinSeconds = -62_135_596_800;
    private const long MaxSeconds = 253_402_300_799;

    public bool TryToUnixMs(out long ms)
    {
        if (Seconds is < MinSeconds or > MaxSeconds || Nanos is < 0 or > 999_999_999)
        {
            ms = 0;
            return false;
        }

        ms = (Seconds * 1000) + (Nanos / 1_000_000);
        return true;
    }
}
