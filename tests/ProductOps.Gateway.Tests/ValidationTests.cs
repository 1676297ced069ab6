using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ProductOps.Contracts.V1;
using static ProductOps.Gateway.Tests.EventFactory;
using static ProductOps.Testing.Polling;
using static ProductOps.Gateway.Tests.Rejections;

namespace ProductOps.Gateway.Tests;

/// <summary>Per-event rejections, request-level limits and clock-skew correction.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class ValidationTests(SiloFixture node)
{
    private const string Ingest = "ingest";

    [Fact]
    public async Task Track_EveryInvalidEventRule_RejectsThoseEventsAndAcceptsTheRest()
    {
        var before = await node.SettledOverviewAsync();
        var prefix = Prefix("invalid");
        var user = $"{prefix}-ok";
        var bad = $"{prefix}-bad";
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var tooLong = new string('x', 201);
        var longest = new string('y', 200);
        var cases = new (Event Event, string? Field)[]
        {
            (Event(user, $"{prefix}-v1", "feature_used", at, $"{prefix}-f"), null),
            (Event(bad, string.Empty, Ingest, at), "event_id"),
            (Event(string.Empty, $"{prefix}-x2", Ingest, at), "user_id"),
            (Event(bad, $"{prefix}-x3", string.Empty, at), "name"),
            (Event(bad, tooLong, Ingest, at), "event_id"),
            (Event(tooLong, $"{prefix}-x5", Ingest, at), "user_id"),
            (Event(bad, $"{prefix}-x6", tooLong, at), "name"),
            (Event(bad, $"{prefix}-x7", Ingest, at, feature: tooLong), "feature"),
            (Event(bad, $"{prefix}-x8", Ingest, at, sessionId: tooLong), "session_id"),
            (Event(user, $"{prefix}-v2", longest, at, feature: longest, sessionId: longest), null), // 200 characters is allowed
            (Event(bad, $"{prefix}-x9\n", Ingest, at), "event_id"),
            (Event($"{bad}\u0007", $"{prefix}-x10", Ingest, at), "user_id"),
            (Event(bad, $"{prefix}-x11", "tab\tname", at), "name"),
            (Event(bad, $"{prefix}-x12", Ingest, at, feature: "feat\u0000ure"), "feature"),
            (Event(bad, $"{prefix}-x13", Ingest, at, sessionId: "s\r1"), "session_id"),
            (Event(bad, $"{prefix}-x14", "$identify", at), "name"),
            (Event(bad, $"{prefix}-x15", "$pageview", at), "name"),
            (Event(user, $"{prefix}-v3", "pay$ment", at, value: 2.5), null), // '$' only reserved at the start
            (Event(bad, $"{prefix}-x16", Ingest, at, value: double.NaN), "value"),
            (Event(bad, $"{prefix}-x17", Ingest, at, value: double.PositiveInfinity), "value"),
            (Event(bad, $"{prefix}-x18", Ingest, at, value: double.NegativeInfinity), "value"),
            (Event(bad, $"{prefix}-x19", Ingest, DateTimeOffset.UtcNow.AddMinutes(61)), "timestamp"),
            (Event(user, $"{prefix}-v4", Ingest, DateTimeOffset.UtcNow.AddMinutes(55)), null), // within the hour allowed ahead
            (Event(user, $"{prefix}-v5", Ingest, DateTimeOffset.UtcNow.AddYears(-3)), null), // any past time is fine
            (WithProperties(Event(bad, $"{prefix}-x20", Ingest, at), 256), "properties"),
            (WithProperties(Event(user, $"{prefix}-v6", Ingest, at), 255), null),
            (WithProperty(Event(bad, $"{prefix}-x21", Ingest, at), tooLong, "v"), "properties"),
            (WithProperty(Event(bad, $"{prefix}-x22", Ingest, at), "key\u001b", "v"), "properties"),
            (WithProperty(Event(bad, $"{prefix}-x23", Ingest, at), string.Empty, "v"), "properties"),
            (WithProperty(Event(bad, $"{prefix}-x24", Ingest, at), "blob", new string('z', 33 * 1024)), "event"),
            (WithProperty(Event(user, $"{prefix}-v7", Ingest, at), "blob", new string('z', 31 * 1024)), null),
        };
        var request = new TrackRequest { BatchId = prefix };
        request.Events.AddRange(cases.Select(c => c.Event));

        var response = await node.Ingest.TrackAsync(request, DemoTenant.Ingest);

        var expectedRejections = cases.Select((c, index) => (Index: index, c.Field)).Where(c => c.Field is not null).ToList();
        Assert.Equal(expectedRejections, response.Rejected.Select(r => (r.Index, (string?)r.Field)));
        Assert.All(response.Rejected, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason), $"event {r.Index} has no reason"));
        Assert.Equal(cases.Length - expectedRejections.Count, response.Accepted);
        Assert.Equal(0, response.Duplicates);

        // Only the valid events were stored; nothing of the rejected ones.
        var accepted = new AcceptedEvents();
        accepted.Add(request, response);
        var oracle = accepted.Replay();
        await Eventually(async () =>
        {
            var actual = await node.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Read);
            Assert.Equal(ExpectedViews.User(oracle, user, AcceptedEvents.Ms(actual.AsOf)), actual);
        }, DefaultTimeout, () => node.Silo.Output);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await node.Query.GetUserAsync(new GetUserRequest { UserId = bad }, DemoTenant.Read));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        await Eventually(async () =>
        {
            var after = await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
            Assert.Equal(
                ((long)response.Accepted, 0L, (long)expectedRejections.Count),
                (after.Counters.Accepted - before.Counters.Accepted, after.Counters.Duplicates - before.Counters.Duplicates, after.Counters.Rejected - before.Counters.Rejected));
        }, DefaultTimeout, () => node.Silo.Output);
    }

    [Fact]
    public async Task Track_TimestampOutsideTheRepresentableRange_RejectedOnTimestamp()
    {
        var prefix = Prefix("range");
        var valid = Event($"{prefix}-u", $"{prefix}-ok", Ingest, DateTimeOffset.UtcNow.AddMinutes(-1));
        var farFuture = Event($"{prefix}-u", $"{prefix}-far", Ingest, DateTimeOffset.UtcNow);
        farFuture.Timestamp = new Timestamp { Seconds = 253_402_300_800 }; // 10000-01-01: past the protobuf Timestamp range
        var badNanos = Event($"{prefix}-u", $"{prefix}-nanos", Ingest, DateTimeOffset.UtcNow);
        badNanos.Timestamp = new Timestamp { Seconds = 1_700_000_000, Nanos = -1 };
        var request = new TrackRequest { BatchId = prefix, Events = { valid, farFuture, badNanos } };

        var response = await node.Ingest.TrackAsync(request, DemoTenant.Ingest);

        Assert.Equal([(1, "timestamp"), (2, "timestamp")], response.Rejected.Select(r => (r.Index, r.Field)));
        Assert.Equal(1, response.Accepted);
    }

    [Fact]
    public async Task Track_MoreThan1000Events_InvalidArgumentOnEvents()
    {
        var prefix = Prefix("many");
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        var request = new TrackRequest { BatchId = prefix };
        request.Events.AddRange(Enumerable.Range(0, 1001).Select(i => Event($"{prefix}-u", $"{prefix}-e{i}", Ingest, at)));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await node.Ingest.TrackAsync(request, DemoTenant.Ingest));

        AssertInvalid(error, "events", "1001");
        await AssertNoUserAsync(node, $"{prefix}-u"); // nothing of the request was stored

        request.Events.RemoveAt(1000);
        var response = await node.Ingest.TrackAsync(request, DemoTenant.Ingest);
        Assert.Equal(1000, response.Accepted);
    }

    [Fact]
    public async Task Track_RequestOverOneMebibyte_InvalidArgumentOnEvents()
    {
        var prefix = Prefix("big");
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        var filler = new string('p', 30 * 1024); // each event is under the 32 KiB event limit
        var request = new TrackRequest { BatchId = prefix };
        request.Events.AddRange(Enumerable.Range(0, 35).Select(i => WithProperty(Event($"{prefix}-u", $"{prefix}-e{i}", Ingest, at), "blob", filler)));
        Assert.True(request.CalculateSize() > 1024 * 1024);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await node.Ingest.TrackAsync(request, DemoTenant.Ingest));

        AssertInvalid(error, "events", "bytes");
        await AssertNoUserAsync(node, $"{prefix}-u");
    }

    [Fact]
    public async Task Track_NoEvents_InvalidArgumentOnEvents()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await node.Ingest.TrackAsync(new TrackRequest { BatchId = Prefix("empty") }, DemoTenant.Ingest));

        AssertInvalid(error, "events", "at least one");
    }

    [Fact]
    public async Task Track_BatchIdTooLong_InvalidArgumentOnBatchId()
    {
        var request = new TrackRequest { BatchId = new string('b', 201) };
        request.Events.Add(Event(Prefix("batch"), "e1", Ingest, DateTimeOffset.UtcNow.AddMinutes(-1)));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await node.Ingest.TrackAsync(request, DemoTenant.Ingest));

        AssertInvalid(error, "batch_id", "201");
    }

    [Fact]
    public async Task Track_TruncatedProtobuf_InvalidArgumentOnRequestAndNothingStored()
    {
        var prefix = Prefix("truncated");
        var request = new TrackRequest { BatchId = prefix };
        request.Events.Add(Event($"{prefix}-u", $"{prefix}-e1", Ingest, DateTimeOffset.UtcNow.AddMinutes(-1)));
        request.Events.Add(Event($"{prefix}-u", $"{prefix}-e2", Ingest, DateTimeOffset.UtcNow.AddMinutes(-1)));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await TrackBytesAsync(request.ToByteArray()[..^3]));

        AssertInvalid(error, "request", "is not a valid protobuf message");
        await AssertNoUserAsync(node, $"{prefix}-u");
    }

    [Fact]
    public async Task Track_ZeroBytes_InvalidArgumentOnEvents()
    {
        // An empty message is a valid TrackRequest with no fields, and an empty pooled copy.
        var error = await Assert.ThrowsAsync<RpcException>(async () => await TrackBytesAsync([]));

        AssertInvalid(error, "events", "at least one");
    }

    [Fact]
    public async Task Track_StringsThatAreNotUtf8_RejectsThoseEventsAndSkipsUnknownFields()
    {
        var prefix = Prefix("utf8");
        var user = Encoding.UTF8.GetBytes($"{prefix}-ok");
        var invalid = new byte[] { 0x61, 0xC3 }; // a two-byte sequence cut short
        byte[] Text(string text) => Encoding.UTF8.GetBytes(text);
        var events = new[]
        {
            MessageBytes((1, Text($"{prefix}-e1")), (2, user), (3, Text(Ingest)), (99, Text("a field this node does not know"))),
            MessageBytes((1, Text($"{prefix}-e2")), (2, invalid), (3, Text(Ingest))),
            MessageBytes((1, Text($"{prefix}-e3")), (2, user), (3, Text(Ingest)), (4, invalid)),
            MessageBytes((1, Text($"{prefix}-e4")), (2, user), (3, Text(Ingest)), (7, MessageBytes((1, invalid), (2, Text("v"))))),
            MessageBytes((1, Text($"{prefix}-e5")), (2, user), (3, Text(Ingest))),
        };

        var response = await TrackBytesAsync(MessageBytes([.. events.Select(e => (2, e))]));

        Assert.Equal(2, response.Accepted);
        Assert.Equal(
            [(1, "user_id", "is not valid UTF-8"), (2, "feature", "is not valid UTF-8"), (3, "properties", "is not valid UTF-8")],
            response.Rejected.Select(r => (r.Index, r.Field, r.Reason)));
        await Eventually(async () =>
        {
            var view = await node.Query.GetUserAsync(new GetUserRequest { UserId = $"{prefix}-ok" }, DemoTenant.Read);
            Assert.Equal(2, view.EventCount);
        }, DefaultTimeout, () => node.Silo.Output);
    }

    [Fact]
    public async Task Track_SentAtOutsideTheRepresentableRange_InvalidArgumentOnSentAt()
    {
        var request = new TrackRequest { BatchId = Prefix("sent"), SentAt = new Timestamp { Seconds = -62_135_596_801 } };
        request.Events.Add(Event(Prefix("sent"), "e1", Ingest, DateTimeOffset.UtcNow.AddMinutes(-1)));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await node.Ingest.TrackAsync(request, DemoTenant.Ingest));

        AssertInvalid(error, "sent_at", "timestamp");
    }

    [Fact]
    public async Task Track_ClientClockTwoHoursFast_TimestampCorrectedByReceiveMinusSentAt()
    {
        // The client's clock runs 2 h ahead of the server's. Its event, 30 min before it sent the
        // batch, carries a timestamp 90 min ahead of server time: rejected as is, accepted once corrected.
        var prefix = Prefix("skew-fast");
        var user = $"{prefix}-u";
        var clientNow = DateTimeOffset.UtcNow.AddHours(2);
        var request = new TrackRequest { BatchId = prefix, SentAt = Timestamp.FromDateTimeOffset(clientNow) };
        request.Events.Add(Event(user, $"{prefix}-e1", Ingest, clientNow.AddMinutes(-30)));

        var (response, earliest, latest) = await TrackTimedAsync(request);

        Assert.Empty(response.Rejected);
        Assert.Equal(1, response.Accepted);
        await AssertFirstSeenWithinAsync(user, request.Events[0].Timestamp, request.SentAt, earliest, latest);
    }

    [Fact]
    public async Task Track_ClientClockTwoHoursSlow_TimestampCorrectedAndFutureCheckedAfterCorrection()
    {
        // The client's clock runs 2 h behind: its times move 2 h later. An event 10 min before sending
        // is stored 10 min before server time; one 90 min after sending, by the client's clock, lands
        // 90 min ahead of server time and is rejected, although it is in the past as sent.
        var prefix = Prefix("skew-slow");
        var user = $"{prefix}-u";
        var clientNow = DateTimeOffset.UtcNow.AddHours(-2);
        var request = new TrackRequest { BatchId = prefix, SentAt = Timestamp.FromDateTimeOffset(clientNow) };
        request.Events.Add(Event(user, $"{prefix}-e1", Ingest, clientNow.AddMinutes(-10)));
        request.Events.Add(Event(user, $"{prefix}-e2", Ingest, clientNow.AddMinutes(90)));

        var (response, earliest, latest) = await TrackTimedAsync(request);

        Assert.Equal((1, "timestamp"), (Assert.Single(response.Rejected).Index, response.Rejected[0].Field));
        Assert.Equal(1, response.Accepted);
        await AssertFirstSeenWithinAsync(user, request.Events[0].Timestamp, request.SentAt, earliest, latest);
    }

    [Fact]
    public async Task Track_SentAtMovingEventsOutOfTheTimestampRange_RejectsThoseOnTimestampAndGetUserStillWorks()
    {
        // A client clock at the end of year 9999: received - sent_at is about -7,970 years. An
        // event stamped now by that clock would land around year -5950; one stamped a month before
        // sending lands a month before now, and one with no timestamp takes the server's time.
        var prefix = Prefix("skew-range");
        var user = $"{prefix}-u";
        var sentAt = new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);
        var request = new TrackRequest { BatchId = prefix, SentAt = Timestamp.FromDateTimeOffset(sentAt) };
        request.Events.Add(Event(user, $"{prefix}-e1", Ingest, DateTimeOffset.UtcNow));
        request.Events.Add(Event(user, $"{prefix}-e2", Ingest, sentAt.AddDays(-30)));
        var untimed = Event(user, $"{prefix}-e3", Ingest, DateTimeOffset.UtcNow);
        untimed.Timestamp = null;
        request.Events.Add(untimed);

        // And a client clock in year 1, sending an event stamped near the end of year 9999: moved
        // about 2,025 years later, past the range (before the check of how far ahead it may be).
        var past = new TrackRequest { BatchId = $"{prefix}-past", SentAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero)) };
        past.Events.Add(Event(user, $"{prefix}-e4", Ingest, new DateTimeOffset(9000, 1, 1, 0, 0, 0, TimeSpan.Zero)));

        var response = await node.Ingest.TrackAsync(request, DemoTenant.Ingest);
        var pastResponse = await node.Ingest.TrackAsync(past, DemoTenant.Ingest);

        var rejected = Assert.Single(response.Rejected);
        Assert.Equal((0, "timestamp"), (rejected.Index, rejected.Field));
        Assert.Contains("sent_at", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("before 0001-01-01", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(2, response.Accepted);
        var pastRejected = Assert.Single(pastResponse.Rejected);
        Assert.Equal((0, "timestamp"), (pastRejected.Index, pastRejected.Field));
        Assert.Contains("after 9999-12-31", pastRejected.Reason, StringComparison.Ordinal);
        await Eventually(async () =>
        {
            var view = await node.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Read);
            Assert.Equal(2, view.EventCount);
        }, DefaultTimeout, () => node.Silo.Output);
    }

    [Fact]
    public async Task Track_SentAtMovingAnEventToYearOne_AcceptedAndReadBack()
    {
        // Any past time the timestamp type holds is accepted (historical imports), to the first day.
        var prefix = Prefix("skew-year-one");
        var user = $"{prefix}-u";
        var clientNow = DateTimeOffset.UtcNow.AddDays(1);
        var request = new TrackRequest { BatchId = prefix, SentAt = Timestamp.FromDateTimeOffset(clientNow) };
        request.Events.Add(Event(user, $"{prefix}-e1", Ingest, new DateTimeOffset(1, 1, 3, 0, 0, 0, TimeSpan.Zero)));

        var response = await node.Ingest.TrackAsync(request, DemoTenant.Ingest);

        Assert.Empty(response.Rejected);
        await Eventually(async () =>
        {
            var view = await node.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Read);
            Assert.Equal(1, view.EventCount);
            Assert.Equal(1, view.FirstSeen.ToDateTimeOffset().Year);
        }, DefaultTimeout, () => node.Silo.Output);
    }

    [Fact]
    public async Task Track_ValueBeyondMaxAbsValue_RejectedOnValueNamingTheBoundAndSumsStayFinite()
    {
        var prefix = Prefix("huge");
        var user = $"{prefix}-u";
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var request = new TrackRequest
        {
            BatchId = prefix,
            Events =
            {
                Event(user, $"{prefix}-e1", "purchase", at, $"{prefix}-f", value: double.MaxValue),
                Event(user, $"{prefix}-e2", "purchase", at, $"{prefix}-f", value: -double.MaxValue),
                Event(user, $"{prefix}-e3", "purchase", at, $"{prefix}-f", value: 1e12 + 1),
                Event(user, $"{prefix}-e4", "purchase", at, $"{prefix}-f", value: 1e12),
                Event(user, $"{prefix}-e5", "purchase", at, $"{prefix}-f", value: -1e12),
                Event(user, $"{prefix}-e6", "purchase", at, $"{prefix}-f", value: 2.5),
            },
        };

        var response = await node.Ingest.TrackAsync(request, DemoTenant.Ingest);

        Assert.Equal([(0, "value"), (1, "value"), (2, "value")], response.Rejected.Select(r => (r.Index, r.Field)));
        Assert.All(response.Rejected, r => Assert.Contains("at most 1000000000000 either side of zero", r.Reason, StringComparison.Ordinal));
        Assert.Equal(3, response.Accepted);
        await Eventually(async () =>
        {
            var feature = await node.Query.GetFeatureAsync(new GetFeatureRequest { Feature = $"{prefix}-f" }, DemoTenant.Read);
            Assert.Equal(3, feature.EventsAllTime);
            Assert.Equal(2.5, feature.Daily.Sum(d => d.ValueSum));
        }, DefaultTimeout, () => node.Silo.Output);
    }

    [Fact]
    public async Task Track_ControlCharacterInAPropertyValue_RejectedOnPropertiesNamingTheKey()
    {
        var prefix = Prefix("value-control");
        var user = $"{prefix}-u";
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var request = new TrackRequest
        {
            BatchId = prefix,
            Events =
            {
                WithProperty(Event(user, $"{prefix}-e1", Ingest, at), "comment", "nul\u0000inside"),
                WithProperty(Event(user, $"{prefix}-e2", Ingest, at), "comment", "bell\u0007"),
                WithProperty(Event(user, $"{prefix}-e3", Ingest, at), "comment", "next line\u0085"),
                WithProperty(Event(user, $"{prefix}-e4", Ingest, at), "comment", "two lines,\r\nand a\ttab"), // ordinary multi-line text
            },
        };

        var response = await node.Ingest.TrackAsync(request, DemoTenant.Ingest);

        Assert.Equal([(0, "properties"), (1, "properties"), (2, "properties")], response.Rejected.Select(r => (r.Index, r.Field)));
        Assert.All(response.Rejected, r => Assert.Contains("the value of key 'comment' must not contain control characters", r.Reason, StringComparison.Ordinal));
        Assert.Equal(1, response.Accepted);
    }

    [Fact]
    public async Task Identify_ControlCharacterInATraitValue_InvalidArgumentOnTraitsNamingTheKey()
    {
        var user = Prefix("trait-control");
        var request = new IdentifyRequest { EventId = "i1", UserId = user, Traits = { ["plan"] = "pro\u0000" } };

        var error = await Assert.ThrowsAsync<RpcException>(async () => await node.Ingest.IdentifyAsync(request, DemoTenant.Ingest));

        AssertInvalid(error, "traits", "the value of key 'plan'");
        await AssertNoUserAsync(node, user);
    }

    [Fact]
    public async Task Track_RequestOfNineMebibytes_InvalidArgumentOnEventsNamingTheLimit()
    {
        // Above gRPC's former fixed ceiling of 8 MiB, which answered ResourceExhausted ("back off and retry").
        var prefix = Prefix("huge-request");
        var request = NineMebibytes(prefix);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await node.Ingest.TrackAsync(request, DemoTenant.Ingest));

        AssertInvalid(error, "events", $"the request is {request.CalculateSize()} bytes encoded; at most 1048576 are allowed");
        await AssertNoUserAsync(node, $"{prefix}-u");
    }

    [Fact]
    public async Task TrackStream_MessageOfNineMebibytes_EndsWithInvalidArgumentOnEvents()
    {
        var prefix = Prefix("huge-stream");
        using var call = node.Ingest.TrackStream(DemoTenant.Ingest);
        await call.RequestStream.WriteAsync(NineMebibytes(prefix));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        AssertInvalid(error, "events", "at most 1048576 are allowed");
        await AssertNoUserAsync(node, $"{prefix}-u");
    }

    /// <summary>A request of 9 MiB and more, in events each under the event limit.</summary>
    internal static TrackRequest NineMebibytes(string prefix)
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        var filler = new string('p', 30 * 1024);
        var request = new TrackRequest { BatchId = prefix };
        request.Events.AddRange(Enumerable.Range(0, 310).Select(i => WithProperty(Event($"{prefix}-u", $"{prefix}-e{i}", Ingest, at), "blob", filler)));
        Assert.InRange(request.CalculateSize(), (9 * 1024 * 1024) + 1, 10 * 1024 * 1024);
        return request;
    }

    private async Task<(TrackResponse Response, long Earliest, long Latest)> TrackTimedAsync(TrackRequest request)
    {
        var earliest = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var response = await node.Ingest.TrackAsync(request, DemoTenant.Ingest);
        var latest = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return (response, earliest, latest);
    }

    /// <summary>The stored time is timestamp + (received - sent_at), with received somewhere within the call.</summary>
    private async Task AssertFirstSeenWithinAsync(string user, Timestamp timestamp, Timestamp sentAt, long earliestReceived, long latestReceived)
    {
        var shift = AcceptedEvents.Ms(timestamp) - AcceptedEvents.Ms(sentAt);
        await Eventually(async () =>
        {
            var view = await node.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Read);
            Assert.Equal(1, view.EventCount);
            Assert.InRange(AcceptedEvents.Ms(view.FirstSeen), earliestReceived + shift, latestReceived + shift);
        }, DefaultTimeout, () => node.Silo.Output);
    }

    /// <summary>Track with the request's bytes as given, for encodings protobuf's API cannot write.</summary>
    private async Task<TrackResponse> TrackBytesAsync(byte[] request)
    {
        var track = new Method<byte[], TrackResponse>(
            MethodType.Unary, "productops.v1.IngestService", "Track", Marshallers.Create(b => b, b => b), Marshallers.Create(r => r.ToByteArray(), TrackResponse.Parser.ParseFrom));
        return await node.Silo.Channel.CreateCallInvoker().AsyncUnaryCall(track, null, new CallOptions(DemoTenant.Ingest), request);
    }

    private static byte[] MessageBytes(params (int Field, byte[] Bytes)[] fields) => RawCalls.Message(fields);

    private static Event WithProperties(Event e, int count)
    {
        for (var i = 0; i < count; i++)
        {
            e.Properties[$"p{i}"] = "v";
        }

        return e;
    }
}
