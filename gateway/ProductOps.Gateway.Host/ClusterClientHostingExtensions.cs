using System.Net;
using Microsoft.Extensions.Options;
using ProductOps.Gateway.Errors;
using ProductOps.Storage.Postgres;

namespace ProductOps.Gateway.Host;

/// <summary>Connects the gateway process to the silo cluster as an Orleans client.</summary>
public static class ClusterClientHostingExtensions
{
    public static WebApplicationBuilder AddProductOpsClusterClient(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ClusterClientOptions.Section).Get<ClusterClientOptions>() ?? new ClusterClientOptions();
        if (new ClusterClientOptionsValidator().Validate(null, options) is { Failed: true } invalid)
        {
            throw new OptionsValidationException(ClusterClientOptions.Section, typeof(ClusterClientOptions), invalid.Failures);
        }

        var ports = options.GatewayPorts.Count > 0 ? options.GatewayPorts : [30000];
        var store = builder.Configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        builder.UseOrleansClient(client =>
        {
            if (store.Store == StoreMode.Postgres)
            {
                client.UsePostgresClustering(); // the gateway list is the active silos in membership
            }
            else
            {
                client.UseStaticClustering([.. ports.Select(port => new IPEndPoint(IPAddress.Loopback, port))]);
            }

            client.Configure<Orleans.Configuration.ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
            client.UseConnectionRetryFilter<RetryUntilClusterAnswers>();
        });

        if (store.Store == StoreMode.Postgres)
        {
            builder.Services.AddSingleton<ILifecycleParticipant<IClusterClientLifecycle>, GatewayDataSetCheck>();
        }

        builder.Services.AddSingleton<ClusterClientConnection>();
        builder.Services.AddSingleton<IClusterConnection>(sp => sp.GetRequiredService<ClusterClientConnection>());
        builder.Services.AddSingleton<ILifecycleParticipant<IClusterClientLifecycle>>(sp => sp.GetRequiredService<ClusterClientConnection>());

        // The web server listens while the client is still connecting, so probes see a live,
        // unready process rather than none.
        builder.Services.Configure<HostOptions>(host => host.ServicesStartConcurrently = true);
        return builder;
    }
}
