using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProductOps.Contracts.V1;
using ProductOps.Grains.Abstractions;
using ProductOps.Gateway.Errors;
using ProductOps.Gateway.Ingest;

namespace ProductOps.Gateway.Tests;

/// <summary>
/// The gateway's <see cref="ExceptionMappingInterceptor"/> on a loopback gRPC server of the test's
/// own, in front of stand-ins for the three services whose calls fail as the request's
/// <see cref="FailHeader"/> says: the failures a real node cannot be made to show on demand (the
/// cluster gone under a query, a bug), on calls bound as the gateway binds them.
/// </summary>
public sealed class FailingGateway : IAsyncLifetime
{
    /// <summary>The header that picks the failure: <see cref="ClusterGone"/>, <see cref="Bug"/> or <see cref="LogUnreadable"/>.</summary>
    public const string FailHeader = "x-fail";

    /// <summary>The cluster did not answer in time (what Orleans throws then).</summary>
    public const string ClusterGone = "cluster-gone";

    /// <summary>An exception nobody planned for.</summary>
    public const string Bug = "bug";

    /// <summary>A grain could not read its partition's log file (what a user's catch-up throws then).</summary>
    public const string LogUnreadable = "log-unreadable";

    private WebApplication? _app;

    public GrpcChannel Channel { get; private set; } = null!;

    public static Metadata Failing(string failure) => new() { { FailHeader, failure } };

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton<IClusterConnection, InProcessCluster>();
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<ExceptionMappingInterceptor>());
        _app = builder.Build();
        _app.MapGrpcService<FailingIngest>();
        _app.MapGrpcService<FailingQueries>();
        _app.MapGrpcService<FailingAdmin>();
        await _app.StartAsync();
        Channel = GrpcChannel.ForAddress(_app.Urls.First());
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static Exception Failure(ServerCallContext context) => context.RequestHeaders.GetValue(FailHeader) switch
    {
        ClusterGone => new TimeoutException("the grain did not answer in time"),
        Bug => new InvalidOperationException("a failure nobody planned for"),
        LogUnreadable => new LogReadFailedException("acme/u1: catching up from the event log failed", "partition 3's log file: the file is corrupt"),
        var other => new ArgumentException($"no such failure: '{other}'"),
    };

    private sealed class FailingIngest : IngestServiceBinding.ServiceBase
    {
        public override Task<TrackResponse> Track(TrackPayload request, ServerCallContext context) => throw Failure(context);

        public override Task TrackStream(IAsyncStreamReader<TrackPayload> requestStream, IServerStreamWriter<TrackResponse> responseStream, ServerCallContext context) =>
            throw Failure(context);

        public override Task<IdentifyResponse> Identify(IdentifyRequest request, ServerCallContext context) => throw Failure(context);
    }

    private sealed class FailingQueries : QueryService.QueryServiceBase
    {
        public override Task<UserView> GetUser(GetUserRequest request, ServerCallContext context) => throw Failure(context);

        public override Task<OverviewView> GetOverview(GetOverviewRequest request, ServerCallContext context) => throw Failure(context);

        public override Task ExportPredictions(ExportPredictionsRequest request, IServerStreamWriter<ChurnRiskView> responseStream, ServerCallContext context) =>
            throw Failure(context);
    }

    private sealed class FailingAdmin : AdminService.AdminServiceBase
    {
        public override Task<TenantSettings> GetTenantSettings(GetTenantSettingsRequest request, ServerCallContext context) => throw Failure(context);

        public override Task<TenantSettings> UpdateTenantSettings(UpdateTenantSettingsRequest request, ServerCallContext context) => throw Failure(context);

        public override Task<TrainingJob> TrainModel(TrainModelRequest request, ServerCallContext context) => throw Failure(context);

        public override Task<ModelInfo> ActivateModel(ActivateModelRequest request, ServerCallContext context) => throw Failure(context);
    }
}
