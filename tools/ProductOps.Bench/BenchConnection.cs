using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ProductOps.Contracts.V1;

namespace ProductOps.Bench;

/// <summary>gRPC channels to the node under test. Each ingest stream gets its own channel (its own
/// HTTP/2 connection), as separate app servers would; queries share one.</summary>
internal sealed class BenchConnection : IDisposable
{
    /// <summary>TrackStream with requests already serialized (see <see cref="PreparedBatch"/>).</summary>
    private static readonly Method<byte[], TrackResponse> TrackStreamRaw = new(
        MethodType.DuplexStreaming,
        "productops.v1.IngestService",
        "TrackStream",
        Marshallers.Create(bytes => bytes, bytes => bytes),
        Marshallers.Create(response => response.ToByteArray(), TrackResponse.Parser.ParseFrom));

    private readonly List<GrpcChannel> _channels = [];
    private readonly Metadata _ingestHeaders;
    private readonly Metadata _readHeaders;
    private readonly Metadata _adminHeaders;

    public BenchConnection(Uri address, string ingestKey, string readKey, string adminKey)
    {
        Address = address;
        _ingestHeaders = new Metadata { { "x-api-key", ingestKey } };
        _readHeaders = new Metadata { { "x-api-key", readKey } };
        _adminHeaders = new Metadata { { "x-api-key", adminKey } };
        var shared = NewChannel();
        Ingest = new IngestService.IngestServiceClient(shared);
        Query = new QueryService.QueryServiceClient(shared);
        Admin = new AdminService.AdminServiceClient(shared);
    }

    public Uri Address { get; }

    public IngestService.IngestServiceClient Ingest { get; }

    public QueryService.QueryServiceClient Query { get; }

    public AdminService.AdminServiceClient Admin { get; }

    public CallOptions IngestCall(CancellationToken token = default) => new(_ingestHeaders, cancellationToken: token);

    public CallOptions ReadCall(CancellationToken token = default) => new(_readHeaders, cancellationToken: token);

    public CallOptions AdminCall(CancellationToken token = default) => new(_adminHeaders, cancellationToken: token);

    /// <summary>A new TrackStream on a channel of its own.</summary>
    public AsyncDuplexStreamingCall<byte[], TrackResponse> OpenTrackStream(CancellationToken token)
    {
        var invoker = NewChannel().CreateCallInvoker();
        return invoker.AsyncDuplexStreamingCall(TrackStreamRaw, null, IngestCall(token));
    }

    /// <summary>Whether the aggregates hold every event the node acknowledged before this call.</summary>
    public async Task<bool> CaughtUpAsync(CancellationToken token)
    {
        var view = await Query.GetOverviewAsync(new GetOverviewRequest(), ReadCall(token));
        return view.Freshness?.CaughtUp ?? true;
    }

    /// <summary>Waits until the aggregates have caught up with the log, for at most <paramref name="limit"/>.</summary>
    public async Task<bool> WaitForAggregatesAsync(TimeSpan limit, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await CaughtUpAsync(token))
                {
                    return true;
                }
            }
            catch (RpcException failure) when (failure.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded
                or StatusCode.ResourceExhausted or StatusCode.Internal)
            {
                // A node busy catching up may answer a query with a timeout; that is "not yet".
            }

            await Task.Delay(200, token);
        }

        return false;
    }

    public void Dispose()
    {
        lock (_channels)
        {
            foreach (var channel in _channels)
            {
                channel.Dispose();
            }

            _channels.Clear();
        }
    }

    private GrpcChannel NewChannel()
    {
        var channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                AutomaticDecompression = DecompressionMethods.None,
            },
            ThrowOperationCanceledOnCancellation = true,
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
        lock (_channels)
        {
            _channels.Add(channel);
        }

        return channel;
    }
}
