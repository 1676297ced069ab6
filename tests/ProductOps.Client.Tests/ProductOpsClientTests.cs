using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Client.Tests;

/// <summary>Client behaviour that needs no server: options, stamping, backpressure, and failure
/// against an address where nothing listens. Streaming against a live gateway is tested with it.</summary>
public sealed class ProductOpsClientTests
{
    public static TheoryData<Action<ProductOpsClientOptions>> InvalidOptions => new()
    {
        o => o.ApiKey = "",
        o => o.MaxBatchSize = 0,
        o => o.MaxBatchBytes = 1_000,
        o => o.MaxInFlightBatches = 0,
        o => o.MaxRetries = -1,
        o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(1),
        o => o.FlushInterval = TimeSpan.FromSeconds(-1),
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Constructor_InvalidOptions_Throws(Action<ProductOpsClientOptions> spoil)
    {
        var options = OptionsFor(ClosedPortAddress());
        spoil(options);

        Assert.ThrowsAny<ArgumentException>(() => new ProductOpsClient(options));
    }

    [Fact]
    public async Task TrackAsync_EventWithoutIdOrTimestamp_StampsBothBeforeQueueing()
    {
        await using var client = new ProductOpsClient(OptionsFor(ClosedPortAddress()));
        var usageEvent = new Event { UserId = "u1", Name = "feature_used", Feature = "search" };
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        await client.TrackAsync(usageEvent);

        Assert.Equal(32, usageEvent.EventId.Length);
        Assert.InRange(usageEvent.Timestamp.ToDateTimeOffset(), before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(1, client.Stats.EventsEnqueued);
    }

    [Fact]
    public async Task TrackAsync_EventWithIdAndTimestamp_KeepsThem()
    {
        await using var client = new ProductOpsClient(OptionsFor(ClosedPortAddress()));
        var time = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var usageEvent = new Event { EventId = "mine", UserId = "u1", Name = "purchase", Timestamp = time };

        await client.TrackAsync(usageEvent);

        Assert.Equal("mine", usageEvent.EventId);
        Assert.Equal(time, usageEvent.Timestamp);
    }

    [Fact]
    public async Task TrackAsync_WindowFull_WaitsUntilCancelled()
    {
        var options = OptionsFor(ClosedPortAddress());
        options.MaxBatchSize = 1;
        options.MaxInFlightBatches = 1;
        options.InitialRetryDelay = TimeSpan.FromMinutes(1);
        options.MaxRetryDelay = TimeSpan.FromMinutes(1);
        await using var client = new ProductOpsClient(options);
        using var cancel = new CancellationTokenSource();

        // Nothing is acknowledged: once the window, the batcher and its queue are full, calls wait.
        var calls = Enumerable.Range(0, 50)
            .Select(_ => client.TrackAsync(new Event { UserId = "u", Name = "n" }, cancel.Token).AsTask())
            .ToList();
        Assert.True(calls.Count(c => !c.IsCompleted) >= 40, "Calls went through a full window.");

        await cancel.CancelAsync();
        var outcomes = await Task.WhenAll(calls.Select(async call =>
        {
            try
            {
                await call;
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }));

        // Room for one batch in flight, one waiting for the window and one queued: no more got in.
        Assert.InRange(outcomes.Count(accepted => accepted), 1, 4);
        Assert.Equal(outcomes.Count(accepted => accepted), client.Stats.EventsEnqueued);
    }

    [Fact]
    public async Task FlushAsync_NothingListening_FailsAfterRetriesAndFaultsTheClient()
    {
        var options = OptionsFor(ClosedPortAddress());
        options.MaxRetries = 2;
        await using var client = new ProductOpsClient(options);
        await client.TrackAsync(new Event { UserId = "u", Name = "session_start" });

        var failure = await Assert.ThrowsAsync<ProductOpsIngestException>(() => client.FlushAsync());

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.True(failure.Attempts == 3, failure.ToString());
        Assert.Equal(1, client.Stats.BatchesFailed);
        Assert.Equal(2, client.Stats.Retries);
        await Assert.ThrowsAsync<ProductOpsIngestException>(async () =>
            await client.TrackAsync(new Event { UserId = "u", Name = "session_start" }));
    }

    [Fact]
    public async Task DisposeAsync_FlushStillWaiting_FailsTheFlush()
    {
        var options = OptionsFor(ClosedPortAddress());
        options.InitialRetryDelay = TimeSpan.FromMinutes(1);
        options.MaxRetryDelay = TimeSpan.FromMinutes(1);
        var client = new ProductOpsClient(options);
        await client.TrackAsync(new Event { UserId = "u", Name = "session_start" });
        var flush = client.FlushAsync();

        await client.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => flush);
        Assert.Equal(0, client.Stats.EventsAcknowledged);
    }

    [Fact]
    public async Task SendBatchAsync_NothingListening_ThrowsAfterRetries()
    {
        var options = OptionsFor(ClosedPortAddress());
        options.MaxRetries = 1;
        await using var client = new ProductOpsClient(options);

        var failure = await Assert.ThrowsAsync<ProductOpsIngestException>(() =>
            client.SendBatchAsync([new Event { UserId = "u", Name = "purchase", Value = 9 }]));

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Equal(2, failure.Attempts);
        Assert.NotNull(failure.BatchId);
    }

    [Fact]
    public async Task SendBatchAsync_MoreEventsThanBatchSize_Throws()
    {
        var options = OptionsFor(ClosedPortAddress());
        options.MaxBatchSize = 2;
        await using var client = new ProductOpsClient(options);
        Event[] events = [new() { UserId = "u" }, new() { UserId = "u" }, new() { UserId = "u" }];

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.SendBatchAsync(events));
    }

    [Fact]
    public async Task TrackAsync_EventAloneOverMaxBatchBytes_ThrowsArgumentExceptionAndQueuesNothing()
    {
        var options = OptionsFor(ClosedPortAddress());
        options.MaxBatchBytes = 4_096;
        await using var client = new ProductOpsClient(options);
        var large = new Event { UserId = "u", Name = "n", Properties = { ["p"] = new string('x', 5_000) } };

        await Assert.ThrowsAsync<ArgumentException>(async () => await client.TrackAsync(large));

        Assert.Equal(0, client.Stats.EventsEnqueued);
    }

    [Fact]
    public async Task TrackAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var client = new ProductOpsClient(OptionsFor(ClosedPortAddress()));
        await client.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await client.TrackAsync(new Event { UserId = "u" }));
    }

    private static ProductOpsClientOptions OptionsFor(Uri address)
    {
        var options = TestClientOptions.For(address);
        options.DisposeTimeout = TimeSpan.Zero;
        return options;
    }

    /// <summary>A loopback port that was free a moment ago: connections to it are refused.</summary>
    private static Uri ClosedPortAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }
}
