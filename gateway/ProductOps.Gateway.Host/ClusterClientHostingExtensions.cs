using System.Net;

namespace ProductOps.Gateway.Host;

/// <summary>Connects the gateway process to the silo cluster as an Orleans client.</summary>
public static class ClusterClientHostingExtensions
{
    public static WebApplicationBuilder AddProductOpsClusterClient(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ClusterClientOptions.Section).Get<ClusterClientOptions>() ?? new ClusterClientOptions();
        var ports = options.GatewayPorts.Count > 0 ? options.GatewayPorts : [30000];
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering([.. ports.Select(port => new IPEndPoint(IPAddress.Loopback, port))]);
            client.Configure<Orleans.Configuration.ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
        });
        return builder;
    }
}
