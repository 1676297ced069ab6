using Grpc.Core;
using ProductOps.Contracts.V1;
using static ProductOps.Gateway.Tests.EventFactory;
using static ProductOps.Testing.Polling;

namespace ProductOps.Gateway.Tests;

/// <summary>TrackStream with many batches in flight, and its exactly-once counting on resend.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class TrackStreamTests(SiloFixture node)
{
    private const int BatchCount = 160;
    private const int BatchSize = 25;

    [Fact]
    public async Task TrackStream_BatchFailsWhileTheClientKeepsSending_RequestNotReadAfterTheCallEnds()
    {
        // A failed batch ends the call while the server waits for the client's next request. A
        // read that goes on after the call ended fails ("Error reading message"), and Kestrel
        // reuses a stream's objects for later requests on the connection, whose own reads could
        // then fail ("Reading is already in progress", Unknown to their callers).
        var logFrom = node.Silo.FullOutput.Length;
        using var call = node.Ingest.TrackStream(DemoTenant.Ingest);
        await call.RequestStream.WriteAsync(new TrackRequest { BatchId = Prefix("stream-fail") }); // no events

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        for (var wave = 0; wave < 5; wave++)
        {
            await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ => await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read)));
        }

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var log = node.Silo.FullOutput[logFrom..];
        Assert.DoesNotContain("Error reading message", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Error when executing service method", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrackStream_ManyBatchesInFlightThenResent_AnsweredInOrderAndCountedOnce()
    {
        var before = await node.SettledOverviewAsync();
        var prefix = Prefix("stream");
        var features = Enumerable.Range(0, 5).Select(i => $"{prefix}-f{i}").ToArray();
        var events = Usage(prefix, users: 30, features, count: BatchCount * BatchSize, seed: 23, DateTimeOffset.UtcNow);
        var batches = Batches(events, BatchSize, prefix);

        var first = await StreamAsync(batches);

        Assert.Equal(batches.Select(b => b.BatchId), first.Select(r => r.BatchId));
        Assert.All(first, r => Assert.Equal((BatchSize, 0, 0), (r.Accepted, r.Duplicates, r.Rejected.Count)));

        var resent = await StreamAsync(batches);

        Assert.Equal(batches.Select(b => b.BatchId), resent.Select(r => r.BatchId));
        Assert.All(resent, r => Assert.Equal((0, BatchSize, 0), (r.Accepted, r.Duplicates, r.Rejected.Count)));

        var accepted = new AcceptedEvents();
        foreach (var (request, response) in batches.Zip(first))
        {
            accepted.Add(request, response);
        }

        var oracle = accepted.Replay();
        foreach (var user in oracle.UserIds)
        {
            await Eventually(async () =>
            {
                var actual = await node.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Read);
                Assert.Equal(ExpectedViews.User(oracle, user, AcceptedEvents.Ms(actual.AsOf)), actual);
            }, DefaultTimeout, () => node.Silo.Output);
        }

        foreach (var feature in features)
        {
            await Eventually(async () =>
            {
                var actual = await node.Query.GetFeatureAsync(new GetFeatureRequest { Feature = feature }, DemoTenant.Read);
                Assert.Equal(ExpectedViews.Feature(oracle, feature, AcceptedEvents.Ms(actual.AsOf)), ExpectedViews.WithoutAdoption(actual));
            }, DefaultTimeout, () => node.Silo.Output);
        }

        await Eventually(async () =>
        {
            var after = await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
            Assert.Equal(ExpectedViews.Days(oracle, AcceptedEvents.Ms(after.AsOf)), ExpectedViews.Difference(after, before));
            Assert.Equal(oracle.UserIds.Count, after.TotalUsers - before.TotalUsers);
            Assert.Equal(events.Count, after.TotalEvents - before.TotalEvents);
            Assert.Equal(events.Count, after.Counters.Accepted - before.Counters.Accepted);
            Assert.Equal(events.Count, after.Counters.Duplicates - before.Counters.Duplicates);
            Assert.Equal(0, after.Counters.Rejected - before.Counters.Rejected);
        }, DefaultTimeout, () => node.Silo.Output);
    }

    [Fact]
    public async Task TrackStream_InvalidBatchAfterValidOnes_EarlierAckedThenStreamEndsWithInvalidArgument()
    {
        var prefix = Prefix("stream-bad");
        var batches = Batches(Usage(prefix, users: 3, [$"{prefix}-f"], count: 30, seed: 5, DateTimeOffset.UtcNow), 10, prefix);
        batches.Add(new TrackRequest { BatchId = $"{prefix}-empty" }); // no events: a request-level error

        using var call = node.Ingest.TrackStream(DemoTenant.Ingest);
        var answered = new List<TrackResponse>();
        var reading = ReadAllAsync(call, answered);
        foreach (var batch in batches)
        {
            await call.RequestStream.WriteAsync(batch);
        }

        try
        {
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server may end the call on the bad batch before the client half-closes.
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => reading);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("events", error.Trailers.GetValue("field"));
        Assert.Equal(batches.SkipLast(1).Select(b => (b.BatchId, b.Events.Count)), answered.Select(r => (r.BatchId, r.Accepted)));
    }

    [Fact]
    public async Task TrackStream_BadEventsAmongGoodBatches_RejectedByIndexAndTheStreamGoesOn()
    {
        var prefix = Prefix("stream-mixed");
        var batches = Batches(Usage(prefix, users: 3, [$"{prefix}-f"], count: 30, seed: 9, DateTimeOffset.UtcNow), 10, prefix);
        batches[1].Events[2].EventId = string.Empty; // a bad event in the middle batch
        batches[1].Events[7].Value = double.PositiveInfinity; // and another

        var answered = await StreamAsync(batches);

        Assert.Equal(batches.Select(b => b.BatchId), answered.Select(r => r.BatchId));
        Assert.Equal([10, 8, 10], answered.Select(r => r.Accepted));
        Assert.Equal([(2, "event_id"), (7, "value")], answered[1].Rejected.Select(r => (r.Index, r.Field)));
    }

    /// <summary>Writes every batch without waiting for any answer while a reader collects the answers.</summary>
    private async Task<List<TrackResponse>> StreamAsync(IReadOnlyList<TrackRequest> batches)
    {
        using var call = node.Ingest.TrackStream(DemoTenant.Ingest);
        var responses = new List<TrackResponse>();
        var reading = ReadAllAsync(call, responses);
        foreach (var batch in batches)
        {
            await call.RequestStream.WriteAsync(batch);
        }

        await call.RequestStream.CompleteAsync();
        await reading;
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        return responses;
    }

    private static async Task ReadAllAsync(AsyncDuplexStreamingCall<TrackRequest, TrackResponse> call, List<TrackResponse> into)
    {
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            into.Add(response);
        }
    }
}
