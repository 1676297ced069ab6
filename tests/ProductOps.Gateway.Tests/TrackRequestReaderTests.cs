using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ProductOps.Contracts.V1;
using ProductOps.Gateway.Errors;
using ProductOps.Gateway.Ingest;

namespace ProductOps.Gateway.Tests;

/// <summary>
/// The gateway's own TrackRequest reader against protobuf's generated parser, as the oracle, on
/// the same bytes: requests as clients encode them, unusual but valid encodings (fields in any
/// order and repeated, timestamps in parts, map entries without a key or value, unknown fields of
/// every wire type, strings that are not UTF-8), and damaged ones, which each must refuse
/// exactly when protobuf does.
/// </summary>
public sealed partial class TrackRequestReaderTests
{
    private const string Rejected = "rejected";

    // Protobuf refuses a whole request with a string field that is not UTF-8; the gateway's
    // reader hands the bytes on, and the intake rejects just the events that have one.
    private const string InvalidUtf8 = "invalid UTF-8";

    private static readonly byte[][] Texts =
    [
        [], "a"u8.ToArray(), "feature_used"u8.ToArray(), "search"u8.ToArray(), "user-42"u8.ToArray(),
        "café"u8.ToArray(), "日本語"u8.ToArray(), "😀 emoji"u8.ToArray(), Encoding.UTF8.GetBytes(new string('x', 300)),
    ];

    // A sequence cut short, a byte that starts none, an encoded surrogate, a stray continuation byte.
    private static readonly byte[][] NotUtf8 = [[0xFF], [0x61, 0xC3], [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x98], [0x80, 0x61]];

    [Fact]
    public void Read_RequestsAsClientsEncodeThem_ReadsWhatProtobufParses()
    {
        var random = new Random(11);
        for (var i = 0; i < 300; i++)
        {
            var request = new TrackRequest { BatchId = random.Next(3) == 0 ? string.Empty : $"batch-{i}" };
            if (random.Next(2) == 0)
            {
                request.SentAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(random.NextInt64(0, 4_000_000_000)));
            }

            for (var e = random.Next(1, 20); e > 0; e--)
            {
                request.Events.Add(RandomEvent(random));
            }

            AssertSameAsProtobuf(request.ToByteArray());
        }
    }

    [Fact]
    public void Read_UnusualButValidEncodings_ReadsWhatProtobufParses()
    {
        var random = new Random(23);
        var compared = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = MessyRequest(random);
            var reading = ProtobufsReading(bytes);
            Assert.NotEqual(Rejected, reading); // the encoder writes only well-formed messages
            Assert.Equal(reading, OursReading(bytes).Reading);
            compared += reading == InvalidUtf8 ? 0 : 1;
        }

        Assert.True(compared > 1_600, $"only {compared} requests were compared field by field");
    }

    [Fact]
    public void Read_DamagedRequests_RefusesExactlyWhenProtobufDoesAndOtherwiseReadsTheSame()
    {
        var random = new Random(37);
        var refused = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = Damage(MessyRequest(random), random);
            refused += AssertSameAsProtobuf(bytes) == Rejected ? 1 : 0;
        }

        Assert.InRange(refused, 2_000, 18_000); // both outcomes are exercised
    }

    [Fact]
    public void Read_MalformedRequest_NamesTheRequestAndTheByte()
    {
        var valid = new TrackRequest { Events = { new Event { EventId = "e1", UserId = "u1", Name = "n" } } }.ToByteArray();

        var (reading, refusal) = OursReading(valid[..^1]);

        Assert.Equal(Rejected, reading);
        Assert.Matches("^is not a valid protobuf message: .+ at byte [0-9]+$", refusal);
    }

    [Fact]
    public void Read_WireType6InAMapEntry_IsRefusedWhereProtobufPassesOverTheTag()
    {
        // An event whose one property entry is key "k", value "v", then a tag of wire type 6.
        byte[] entry = [0x0A, 0x01, 0x6B, 0x12, 0x01, 0x76, 0x0E];
        byte[] e = [0x1A, 0x01, 0x6E, 0x3A, (byte)entry.Length, .. entry];
        byte[] request = [0x12, (byte)e.Length, .. e];

        Assert.NotEqual(Rejected, ProtobufsReading(request));
        var (reading, refusal) = OursReading(request);
        Assert.Equal(Rejected, reading);
        Assert.Matches(WireType6Or7(), refusal!);
    }

    [Theory]
    [InlineData(-62_135_596_800, 0)]
    [InlineData(-62_135_596_801, 999_999_999)]
    [InlineData(253_402_300_799, 999_999_999)]
    [InlineData(253_402_300_800, 0)]
    [InlineData(0, -1)]
    [InlineData(0, 1_000_000_000)]
    [InlineData(-1, 1)]
    [InlineData(-1, 999_999_999)]
    [InlineData(1_700_000_000, 123_456_789)]
    public void TryToUnixMs_MatchesProtobufsConversion(long seconds, int nanos)
    {
        long? expected;
        try
        {
            expected = new Timestamp { Seconds = seconds, Nanos = nanos }.ToDateTimeOffset().ToUnixTimeMilliseconds();
        }
        catch (InvalidOperationException)
        {
            expected = null;
        }

        long? actual = new WireTimestamp(seconds, nanos).TryToUnixMs(out var ms) ? ms : null;

        Assert.Equal(expected, actual);
    }

    private static Event RandomEvent(Random random)
    {
        var e = new Event
        {
            EventId = $"e-{random.Next()}",
            UserId = $"user-{random.Next(100)}",
            Name = random.Next(4) == 0 ? "purchase" : "feature_used",
            Feature = random.Next(3) == 0 ? string.Empty : $"feature-{random.Next(40)}",
            Value = random.Next(3) == 0 ? 0 : random.NextDouble() * 100,
            SessionId = random.Next(2) == 0 ? string.Empty : $"s-{random.Next(1000)}",
        };
        if (random.Next(4) != 0)
        {
            e.Timestamp = new Timestamp { Seconds = random.NextInt64(1_600_000_000, 1_800_000_000), Nanos = random.Next(1_000_000_000) };
        }

        for (var p = random.Next(4) == 0 ? random.Next(1, 6) : 0; p > 0; p--)
        {
            e.Properties[$"key-{random.Next(8)}"] = $"value-{random.Next(100)}";
        }

        return e;
    }

    /// <summary>A valid TrackRequest encoded unusually: every field may repeat, come in any order,
    /// or be missing; unknown fields of every wire type go anywhere.</summary>
    private static byte[] MessyRequest(Random random)
    {
        var parts = new List<Action<CodedOutputStream>>();
        for (var n = random.Next(3); n > 0; n--)
        {
            var text = Text(random);
            parts.Add(o => Bytes(o, 1, text));
        }

        for (var n = random.Next(3); n > 0; n--)
        {
            var sentAt = MessyTimestamp(random);
            parts.Add(o => Bytes(o, 3, sentAt));
        }

        AddUnknownFields(parts, random);
        Shuffle(parts, random);

        // Events keep their order among themselves; the other fields fall between them.
        var events = Enumerable.Range(0, random.Next(0, 6)).Select(_ => MessyEvent(random)).ToList();
        var positions = events.Select(_ => random.Next(parts.Count + 1)).Order().ToList();
        for (var k = events.Count - 1; k >= 0; k--)
        {
            var body = events[k];
            parts.Insert(positions[k], o => Bytes(o, 2, body));
        }

        return Encode(parts);
    }

    private static byte[] MessyEvent(Random random)
    {
        var parts = new List<Action<CodedOutputStream>>();
        foreach (var field in new[] { 1, 2, 3, 4, 8 })
        {
            for (var n = random.Next(3); n > 0; n--)
            {
                var text = Text(random);
                parts.Add(o => Bytes(o, field, text));
            }
        }

        for (var n = random.Next(3); n > 0; n--)
        {
            var timestamp = MessyTimestamp(random);
            parts.Add(o => Bytes(o, 5, timestamp));
        }

        for (var n = random.Next(3); n > 0; n--)
        {
            var value = random.Next(5) == 0 ? double.NaN : (random.NextDouble() - 0.5) * 1e6;
            parts.Add(o =>
            {
                o.WriteTag(6, WireFormat.WireType.Fixed64);
                o.WriteDouble(value);
            });
        }

        for (var n = random.Next(5); n > 0; n--)
        {
            var entry = MessyEntry(random);
            parts.Add(o => Bytes(o, 7, entry));
        }

        AddUnknownFields(parts, random);
        Shuffle(parts, random);
        return Encode(parts);
    }

    private static byte[] MessyTimestamp(Random random)
    {
        var parts = new List<Action<CodedOutputStream>>();
        if (random.Next(4) != 0)
        {
            var seconds = random.Next(6) == 0 ? random.NextInt64(long.MinValue, long.MaxValue) : random.NextInt64(1_600_000_000, 1_800_000_000);
            parts.Add(o =>
            {
                o.WriteTag(1, WireFormat.WireType.Varint);
                o.WriteInt64(seconds);
            });
        }

        if (random.Next(4) != 0)
        {
            var nanos = random.Next(6) == 0 ? random.Next(int.MinValue, int.MaxValue) : random.Next(1_000_000_000);
            parts.Add(o =>
            {
                o.WriteTag(2, WireFormat.WireType.Varint);
                o.WriteInt32(nanos);
            });
        }

        AddUnknownFields(parts, random);
        Shuffle(parts, random);
        return Encode(parts);
    }

    private static byte[] MessyEntry(Random random)
    {
        var parts = new List<Action<CodedOutputStream>>();
        foreach (var field in new[] { 1, 2 })
        {
            for (var n = random.Next(3); n > 0; n--)
            {
                var text = Text(random);
                parts.Add(o => Bytes(o, field, text));
            }
        }

        AddUnknownFields(parts, random);
        Shuffle(parts, random);
        return Encode(parts);
    }

    /// <summary>Fields the schema does not have, or has with another wire type (or, by chance,
    /// the same: a valid occurrence of that field).</summary>
    private static void AddUnknownFields(List<Action<CodedOutputStream>> parts, Random random)
    {
        for (var n = random.Next(4) == 0 ? random.Next(1, 4) : 0; n > 0; n--)
        {
            // A known number with another wire type is unknown too; length-delimited ones stay
            // clear of the known numbers, whose messages random bytes would break.
            var kind = random.Next(5);
            var field = random.Next(2) == 0 && kind != 2 ? random.Next(1, 9) : random.Next(9, 1 << 20);
            var number = random.NextInt64();
            var text = Text(random);
            var nested = random.Next(3);
            parts.Add(o => Unknown(o, field, kind, number, text, nested));
        }
    }

    private static void Unknown(CodedOutputStream o, int field, int kind, long number, byte[] text, int nested)
    {
        switch (kind)
        {
            case 0:
                o.WriteTag(field, WireFormat.WireType.Varint);
                o.WriteInt64(number);
                break;
            case 1:
                o.WriteTag(field, WireFormat.WireType.Fixed64);
                o.WriteFixed64((ulong)number);
                break;
            case 2:
                Bytes(o, field, text);
                break;
            case 3:
                o.WriteTag(field, WireFormat.WireType.Fixed32);
                o.WriteFixed32((uint)number);
                break;
            default:
                o.WriteTag(field, WireFormat.WireType.StartGroup);
                if (nested > 0)
                {
                    Unknown(o, field + 1, 4, number, text, nested - 1);
                }

                Bytes(o, 1, text);
                o.WriteTag(field, WireFormat.WireType.EndGroup);
                break;
        }
    }

    /// <summary>Truncated, a byte changed, or a byte inserted.</summary>
    private static byte[] Damage(byte[] bytes, Random random)
    {
        if (bytes.Length == 0)
        {
            return [(byte)random.Next(256)];
        }

        var at = random.Next(bytes.Length);
        switch (random.Next(3))
        {
            case 0:
                return bytes[..at];
            case 1:
                var changed = bytes.ToArray();
                changed[at] = (byte)random.Next(256);
                return changed;
            default:
                return [.. bytes[..at], (byte)random.Next(256), .. bytes[at..]];
        }
    }

    private static string AssertSameAsProtobuf(byte[] bytes)
    {
        var expected = ProtobufsReading(bytes);
        var (actual, refusal) = OursReading(bytes);
        var same = expected == actual

            // Protobuf stops at the first string that is not UTF-8, so it cannot see a malformed
            // field after it; the gateway reads the whole request and refuses it for that field.
            || (expected == InvalidUtf8 && actual == Rejected)

            // Inside a map entry protobuf passes over a tag of wire type 6 or 7 (which do not
            // exist); the gateway refuses them everywhere (Read_WireType6InAMapEntry_...).
            || (expected != Rejected && refusal is not null && WireType6Or7().IsMatch(refusal));
        Assert.True(same, $"protobuf read {expected}\nthe gateway read {actual} {refusal}\nbytes {Convert.ToHexString(bytes)}");
        return actual;
    }

    private static string ProtobufsReading(byte[] bytes)
    {
        TrackRequest request;
        try
        {
            request = TrackRequest.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException error)
        {
            return error.Message.Contains("UTF-8", StringComparison.Ordinal) ? InvalidUtf8 : Rejected;
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"batch {Quote(request.BatchId)} sent {Describe(request.SentAt)} events {request.Events.Count}\n");
        foreach (var e in request.Events)
        {
            var properties = e.Properties.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            AppendEvent(text, e.EventId, e.UserId, e.Name, e.Feature, e.SessionId, Describe(e.Timestamp), e.Value, properties);
        }

        return text.ToString();
    }

    private static (string Reading, string? Refusal) OursReading(byte[] bytes)
    {
        try
        {
            var head = TrackRequestReader.ReadHead(bytes);
            var anyInvalid = head.InvalidUtf8Field is not null;
            var sentAt = head.SentAt is { } s ? $"{s.Seconds}.{s.Nanos}" : "none";
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"batch {Quote(Encoding.UTF8.GetString(head.BatchId))} sent {sentAt} events {head.EventCount}\n");
            foreach (var e in TrackRequestReader.Events(bytes))
            {
                var properties = new Dictionary<string, string>(StringComparer.Ordinal);
                var entries = e.Properties();
                var count = 0;
                while (entries.MoveNext())
                {
                    properties[Encoding.UTF8.GetString(entries.Key)] = Encoding.UTF8.GetString(entries.Value);
                    count++;
                }

                Assert.Equal(e.PropertyEntries, count);
                anyInvalid |= e.InvalidUtf8Field is not null;
                var timestamp = e.Timestamp is { } t ? $"{t.Seconds}.{t.Nanos}" : "none";
                AppendEvent(text, Decode(e.EventId), Decode(e.UserId), Decode(e.Name), Decode(e.Feature), Decode(e.SessionId), timestamp, e.Value, properties);
            }

            return (anyInvalid ? InvalidUtf8 : text.ToString(), null);
        }
        catch (RequestValidationException error)
        {
            Assert.Equal("request", error.Failure.Field);
            return (Rejected, error.Failure.Reason);
        }
    }

    private static void AppendEvent(StringBuilder text, string eventId, string userId, string name, string feature, string sessionId, string timestamp, double value, Dictionary<string, string> properties)
    {
        var entries = string.Join(", ", properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{Quote(p.Key)}={Quote(p.Value)}"));
        text.Append(CultureInfo.InvariantCulture, $"  {Quote(eventId)} {Quote(userId)} {Quote(name)} {Quote(feature)} {Quote(sessionId)} {timestamp} {BitConverter.DoubleToInt64Bits(value):x} {{{entries}}}\n");
    }

    private static string Decode(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8);

    private static string Describe(Timestamp? timestamp) => timestamp is null ? "none" : $"{timestamp.Seconds}.{timestamp.Nanos}";

    private static string Quote(string text) => JsonSerializer.Serialize(text);

    // Rare enough that most requests have none, and are compared field by field.
    private static byte[] Text(Random random) =>
        random.Next(200) == 0 ? NotUtf8[random.Next(NotUtf8.Length)] : Texts[random.Next(Texts.Length)];

    private static void Bytes(CodedOutputStream o, int field, byte[] bytes)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(bytes));
    }

    private static byte[] Encode(List<Action<CodedOutputStream>> parts)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        foreach (var part in parts)
        {
            part(output);
        }

        output.Flush();
        return buffer.ToArray();
    }

    private static void Shuffle<T>(List<T> items, Random random)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    [GeneratedRegex("wire type [67] ")]
    private static partial Regex WireType6Or7();
}
