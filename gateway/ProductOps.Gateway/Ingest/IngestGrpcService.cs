using System.Threading.Channels;
using Grpc.Core;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ProductOps.Contracts.V1;
using ProductOps.Gateway.Auth;

namespace ProductOps.Gateway.Ingest;

/// <summary>The IngestService: Track, TrackStream and Identify. Track's requests arrive as
/// their bytes, read by the intake (<see cref="IngestServiceBinding"/>).</summary>
public sealed class IngestGrpcService(BatchIngestor ingestor, StreamSlots streams, IOptions<GatewayOptions> options, IHostApplicationLifetime lifetime) : IngestServiceBinding.ServiceBase
{
    /// <summary>How long a stopping gateway waits for a TrackStream caller to take each answer.</summary>
    public static readonly TimeSpan StoppingAnswerPatience = TimeSpan.FromSeconds(5);

    public override Task<TrackResponse> Track(TrackPayload request, ServerCallContext context) =>
        ingestor.TrackAsync(CallerContext.TenantOf(context), request);

    public override Task<IdentifyResponse> Identify(IdentifyRequest request, ServerCallContext context) =>
        ingestor.IdentifyAsync(CallerContext.TenantOf(context), request);

    /// <summary>
    /// Batches are processed concurrently, up to a window, and answered in request order. When the
    /// window is full the stream is not read further, so HTTP/2 flow control slows the client.
    /// A batch that fails ends the stream with its status; batches answered before it stay acked.
    /// When the process stops, the stream is read no further, every batch read is answered (to a
    /// caller that takes each answer within <see cref="StoppingAnswerPatience"/>), and the call
    /// ends Unavailable: a stream left open would hold the whole shutdown timeout, and an
    /// all-in-one node's silo would then stop without persisting its grains. A tenant holding
    /// <see cref="GatewayOptions.MaxTrackStreamsPerTenant"/> streams already has the call refused
    /// (ResourceExhausted) before any request of it is read.
    /// </summary>
    public override async Task TrackStream(IAsyncStreamReader<TrackPayload> requestStream, IServerStreamWriter<TrackResponse> responseStream, ServerCallContext context)
    {
        var tenant = CallerContext.TenantOf(context);
        using var slot = streams.EnterTrackStream(tenant);
        var inFlight = Channel.CreateBounded<Task<TrackResponse>>(new BoundedChannelOptions(options.Value.MaxInFlightBatchesPerStream)
        {
            SingleReader = true,
            SingleWriter = true,
        });

        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var reading = ReadAllAsync(requestStream, inFlight.Writer, tenant, stopReading.Token, context.CancellationToken);
        try
        {
            await foreach (var pending in inFlight.Reader.ReadAllAsync(context.CancellationToken))
            {
                await AnswerAsync(responseStream, await pending, context);
            }
        }
        catch
        {
            // The call ends here, and its request stream must not be read after that: Kestrel
            // reuses a stream's objects for a later request on the connection, whose own read
            // would then fail ("Reading is already in progress"). So the reader stops first, also
            // when it waits for room in a full window, which nothing will make any more.
            await stopReading.CancelAsync();
            inFlight.Writer.TryComplete();
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        await reading;
    }

    /// <summary>Writes one answer. Once the process is stopping, the caller has
    /// <see cref="StoppingAnswerPatience"/> to take it: one that reads no answers (its flow-control
    /// window full) would otherwise hold the stop for its whole timeout. Past it the caller's
    /// connection is cut: a reset of the call alone leaves a caller that is still sending holding
    /// the connection open, and the server waiting on it. Its other calls are ending anyway, and it
    /// sends its unanswered batches again elsewhere, as after any stop.</summary>
    private async Task AnswerAsync(IServerStreamWriter<TrackResponse> responseStream, TrackResponse answer, ServerCallContext context)
    {
        using var patience = new CancellationTokenSource();
        using var stopping = lifetime.ApplicationStopping.Register(
            static patience => ((CancellationTokenSource)patience!).CancelAfter(StoppingAnswerPatience), patience);
        using var write = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, patience.Token);
        try
        {
            await responseStream.WriteAsync(answer, write.Token);
        }
        catch (OperationCanceledException) when (patience.IsCancellationRequested)
        {
            context.GetHttpContext().Features.Get<IConnectionLifetimeFeature>()?.Abort();
            throw;
        }
    }

    private async Task ReadAllAsync(
        IAsyncStreamReader<TrackPayload> requests, ChannelWriter<Task<TrackResponse>> inFlight, string tenant, CancellationToken stopReading, CancellationToken callEnded)
    {
        try
        {
            await foreach (var request in requests.ReadAllAsync(stopReading))
            {
                // A batch started is queued for its answer even when the process is stopping.
                await inFlight.WriteAsync(TrackAsync(tenant, request), callEnded);
            }
        }
        finally
        {
            inFlight.TryComplete();
        }
    }

    // Runs the batch off the reader's path, so a validation error surfaces when its turn to be answered comes.
    private Task<TrackResponse> TrackAsync(string tenant, TrackPayload request) =>
        Task.Run(() => ingestor.TrackAsync(tenant, request));
}
