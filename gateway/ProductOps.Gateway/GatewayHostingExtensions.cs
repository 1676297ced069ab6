using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ProductOps.Domain;
using ProductOps.Gateway.Admin;
using ProductOps.Gateway.Auth;
using ProductOps.Gateway.Errors;
using ProductOps.Gateway.Health;
using ProductOps.Gateway.Ingest;
using ProductOps.Gateway.Query;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway;

/// <summary>Wires the gRPC gateway into a host that has an Orleans silo or client.</summary>
public static class GatewayHostingExtensions
{
    /// <summary>How far gRPC's own ceiling on a message sits above the request limit. Up to it, an
    /// oversized request is read and answered InvalidArgument with the limit, where gRPC would
    /// answer ResourceExhausted, which clients take as "back off and retry". Past it gRPC refuses
    /// the message unread: the margin bounds what one call can make the gateway hold.</summary>
    public const int TransportMarginBytes = 16 * 1024 * 1024;

    public static IServiceCollection AddProductOpsGateway(this IServiceCollection services)
    {
        services.AddProductOpsTenancy();
        services.AddOptions<IngestLimits>().BindConfiguration(IngestLimits.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestLimits>, IngestLimitsValidator>());
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IClusterConnection, InProcessCluster>(); // a stand-alone host registers its client's

        services.AddGrpc(options =>
        {
            options.Interceptors.Add<ExceptionMappingInterceptor>();
            options.Interceptors.Add<ApiKeyInterceptor>();
            options.Interceptors.Add<MalformedRequestInterceptor>(); // after authentication: a caller without a key learns only that
        });
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<IngestLimits>>((grpc, limits) =>
            grpc.MaxReceiveMessageSize = limits.Value.MaxRequestBytes + TransportMarginBytes);
        services.AddGrpcReflection();
        services.AddSingleton<EventIntake>();
        services.AddSingleton<FeatureAdmission>();
        services.AddMetrics();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<IngestAdmission>();
        services.AddSingleton<PartitionRouter>();
        services.AddSingleton<BatchIngestor>();
        services.AddSingleton<IngestionCounters>();
        services.AddSingleton<ChurnIndexReader>();
        services.AddSingleton<StreamSlots>();
        services.AddSingleton<PartitionStatusCache>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestionCounters>());
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster").AddCheck<TenantSettingsHealthCheck>("tenant-settings");
        return services;
    }

    public static IEndpointRouteBuilder MapProductOpsGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<IngestGrpcService>();
        endpoints.MapGrpcService<QueryGrpcService>();
        endpoints.MapGrpcService<AdminGrpcService>();
        endpoints.MapGrpcReflectionService();
        endpoints.MapHealthChecks("/healthz"); // ready: a grain call reaches the cluster and every tenant's settings are read
        endpoints.MapHealthChecks("/livez", new HealthCheckOptions { Predicate = _ => false }); // alive: the process answers, whatever the cluster does
        return endpoints;
    }
}
