using System.Collections.Concurrent;
using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Client.Tests;

/// <summary>The client against a loopback IngestService of the test's own: what it sends, and what
/// it does with answers a real node gives only under load.</summary>
public sealed class ProductOpsClientWireTests
{
    /// <summary>The gateway's default ProductOps:Limits:MaxRequestBytes.</summary>
    private const int ServerMaxRequestBytes = 1_048_576;

    [Fact]
    public async Task SendBatchAsync_FirstCallOutlastsRequestTimeout_RetriesWithTheSameEventIds()
    {
        var service = new SlowTrack { HangingCalls = 1 };
        await using var server = await LoopbackGrpcServer.StartAsync<IngestService.IngestServiceBase>(service);
        var options = OptionsFor(server.Address);
        options.RequestTimeout = TimeSpan.FromSeconds(1);
        await using var client = new ProductOpsClient(options);

        // Connected and warm first, so only the hanging call can outlast the timeout.
        await client.SendBatchAsync([new Event { UserId = "u", Name = "session_start" }]);
        var retriesBefore = client.Stats.Retries;
        var response = await client.SendBatchAsync([new Event { UserId = "u", Name = SlowTrack.SlowName, Value = 3 }]);

        Assert.Equal(1, response.Accepted);
        var calls = service.SlowCalls.ToArray();
        Assert.Equal(2, calls.Length);
        Assert.Equal(calls[0].Events[0].EventId, calls[1].Events[0].EventId);
        Assert.Equal(calls[0].BatchId, calls[1].BatchId);
        Assert.Equal(1, client.Stats.Retries - retriesBefore);
    }

    [Fact]
    public async Task SendBatchAsync_EveryCallOutlastsRequestTimeout_ThrowsDeadlineExceededAfterRetries()
    {
        var service = new SlowTrack { HangingCalls = int.MaxValue };
        await using var server = await LoopbackGrpcServer.StartAsync<IngestService.IngestServiceBase>(service);
        var options = OptionsFor(server.Address);
        options.RequestTimeout = TimeSpan.FromMilliseconds(200);
        options.MaxRetries = 1;
        await using var client = new ProductOpsClient(options);

        var failure = await Assert.ThrowsAsync<ProductOpsIngestException>(() =>
            client.SendBatchAsync([new Event { UserId = "u", Name = SlowTrack.SlowName }]));

        Assert.Equal(StatusCode.DeadlineExceeded, failure.StatusCode);
        Assert.Equal(2, failure.Attempts);
        Assert.Equal(1, client.Stats.BatchesFailed);
    }

    [Fact]
    public async Task FlushAsync_LargeEventsOverOneRequestsLimit_SplitsBatchesUnderTheLimit()
    {
        var service = new StreamWithRequestLimit(ServerMaxRequestBytes);
        await using var server = await LoopbackGrpcServer.StartAsync<IngestService.IngestServiceBase>(service);
        await using var client = new ProductOpsClient(OptionsFor(server.Address));
        var padding = new string('x', 8_000);
        var sent = new List<string>();

        // 300 events of ~8 KB: well under 500 events (one batch by count), but ~2.4 MB.
        for (var i = 0; i < 300; i++)
        {
            var usageEvent = new Event { UserId = "u", Name = "feature_used", Properties = { ["note"] = padding } };
            await client.TrackAsync(usageEvent);
            sent.Add(usageEvent.EventId);
        }

        await client.FlushAsync();

        Assert.Equal(sent, service.EventIds);
        Assert.True(service.RequestSizes.Count >= 3, $"{service.RequestSizes.Count} request(s)");
        Assert.All(service.RequestSizes, size => Assert.InRange(size, 1, ServerMaxRequestBytes));
        Assert.Equal(300, client.Stats.Accepted);
    }

    private static ProductOpsClientOptions OptionsFor(Uri address)
    {
        var options = TestClientOptions.For(address);
        options.MaxRetries = 2;
        return options;
    }

    /// <summary>Track calls of <see cref="SlowName"/> events that get no answer until the caller
    /// gives up (the first <see cref="HangingCalls"/> of them), and prompt answers otherwise.</summary>
    private sealed class SlowTrack : IngestService.IngestServiceBase
    {
        public const string SlowName = "slow";

        public int HangingCalls { get; init; }

        public ConcurrentQueue<TrackRequest> SlowCalls { get; } = new();

        public override async Task<TrackResponse> Track(TrackRequest request, ServerCallContext context)
        {
            if (request.Events[0].Name == SlowName)
            {
                SlowCalls.Enqueue(request.Clone());
                if (SlowCalls.Count <= HangingCalls)
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, context.CancellationToken);
                }
            }

            return new TrackResponse { BatchId = request.BatchId, Accepted = request.Events.Count };
        }
    }

    /// <summary>A TrackStream that, like the gateway, ends the stream with InvalidArgument on a
    /// request over the size limit.</summary>
    private sealed class StreamWithRequestLimit(int maxRequestBytes) : IngestService.IngestServiceBase
    {
        private readonly Lock _gate = new();

        public List<int> RequestSizes { get; } = [];

        public List<string> EventIds { get; } = [];

        public override async Task TrackStream(IAsyncStreamReader<TrackRequest> requestStream,
            IServerStreamWriter<TrackResponse> responseStream, ServerCallContext context)
        {
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                var size = request.CalculateSize();
                if (size > maxRequestBytes)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument,
                        $"the request is {size} bytes encoded; at most {maxRequestBytes} are allowed, split the batch"));
                }

                lock (_gate)
                {
                    RequestSizes.Add(size);
                    EventIds.AddRange(request.Events.Select(e => e.EventId));
                }

                await responseStream.WriteAsync(new TrackResponse { BatchId = request.BatchId, Accepted = request.Events.Count });
            }
        }
    }
}
