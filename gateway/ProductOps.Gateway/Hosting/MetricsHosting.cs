using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace ProductOps.Gateway.Hosting;

/// <summary>
/// Every ProductOps process (the all-in-one node, a silo, a stand-alone gateway) serves its
/// metrics in Prometheus' text format at <see cref="Path"/> on its HTTP port, beside /healthz:
/// ProductOps' own (ingest outcomes and batch latency, commits, dispatch cycles, each partition's
/// backlog), Orleans' runtime, ASP.NET Core's requests (each gRPC method's latency, by route) and
/// .NET's runtime (GC pauses, heap, CPU). Never over the gRPC port, which clients reach: the
/// figures are the whole cluster's, not one tenant's. Off with <c>ProductOps:Metrics:Enabled=false</c>.
/// </summary>
public static class MetricsHosting
{
    public const string Path = "/metrics";
    public const string EnabledKey = "ProductOps:Metrics:Enabled";
    private const string GrpcUrlKey = "Kestrel:Endpoints:Grpc:Url";

    private static readonly string[] Meters = ["ProductOps.*", "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "System.Runtime"];

    public static IHostApplicationBuilder AddProductOpsMetrics(this IHostApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue(EnabledKey, true))
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter());
        }

        return builder;
    }

    public static IApplicationBuilder UseProductOpsMetrics(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetService<MeterProvider>() is null)
        {
            return app; // turned off
        }

        var grpcPort = PortOf(app.ApplicationServices.GetRequiredService<IConfiguration>()[GrpcUrlKey]);
        return app.UseOpenTelemetryPrometheusScrapingEndpoint(context => IsScrape(context, grpcPort));
    }

    /// <summary>A scrape: <see cref="Path"/> over HTTP/1.x, not on the gRPC endpoint's port. The
    /// gRPC endpoint speaks HTTP/2 only as shipped, which the protocol alone tells apart; the port
    /// keeps it so if someone opens that endpoint to HTTP/1.1 too.</summary>
    internal static bool IsScrape(HttpContext context, int grpcPort) =>
        context.Request.Path == Path
        && !HttpProtocol.IsHttp2(context.Request.Protocol) && !HttpProtocol.IsHttp3(context.Request.Protocol)
        && context.Connection.LocalPort != grpcPort;

    /// <summary>The port of a Kestrel endpoint's URL; -1 when it has none to compare (unset, or 0:
    /// a free port, which a silo without the gateway gives its unused gRPC endpoint).</summary>
    internal static int PortOf(string? url) =>
        Uri.TryCreate(url?.Replace("+", "localhost", StringComparison.Ordinal).Replace("*", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) && uri.Port > 0 ? uri.Port : -1;
}
