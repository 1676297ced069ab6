using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using ProductOps.Gateway;
using ProductOps.Grains;
using ProductOps.Storage;
using ProductOps.Storage.Postgres;

namespace ProductOps.Silo;

/// <summary>Wires the Orleans silo: clustering and storage (embedded or PostgreSQL) and the
/// pipeline; and the gRPC gateway beside it, unless <see cref="SiloHostOptions.Gateway"/> is off.</summary>
public static class SiloHostingExtensions
{
    public static WebApplicationBuilder AddProductOpsSilo(this WebApplicationBuilder builder)
    {
        var store = builder.Configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        var options = SiloHostOptionsOf(builder);
        if (new SiloHostOptionsValidator(store.Store).Validate(null, options) is { Failed: true } invalid)
        {
            throw new OptionsValidationException(SiloHostOptions.Section, typeof(SiloHostOptions), invalid.Failures);
        }

        builder.Services.AddOptions<SiloHostOptions>().BindConfiguration(SiloHostOptions.Section);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);

        builder.UseOrleans(silo =>
        {
            if (store.Store == StoreMode.Postgres)
            {
                // A cluster member: membership, grain state and the event log on PostgreSQL.
                silo.Configure<ClusterOptions>(cluster =>
                {
                    cluster.ClusterId = options.ClusterId;
                    cluster.ServiceId = options.ServiceId;
                });
                silo.ConfigureEndpoints(IPAddress.Parse(options.AdvertisedAddress), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: options.ListenOnAnyAddress);
                silo.AddPostgresStore();
            }
            else
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
                silo.AddEmbeddedStorage();
            }

            silo.Configure<GrainCollectionOptions>(collection => collection.CollectionAge = TimeSpan.FromMinutes(15));
            silo.AddProductOpsPipeline();
            silo.AddChurnModels().AddChurnServing(); // the registry the store registered: PostgreSQL in a cluster, else SQLite in the data folder
        });

        return builder;
    }

    /// <summary>The gRPC gateway in this process (the all-in-one default); a silo that leaves it to
    /// stand-alone gateways answers only the /healthz probe.</summary>
    public static WebApplicationBuilder AddInProcessGatewayOrHealthCheck(this WebApplicationBuilder builder)
    {
        if (SiloHostOptionsOf(builder).Gateway)
        {
            builder.Services.AddProductOpsGateway();
        }
        else
        {
            builder.Services.AddHealthChecks();
        }

        return builder;
    }

    /// <summary>The endpoints of what <see cref="AddInProcessGatewayOrHealthCheck"/> added.</summary>
    public static WebApplication MapInProcessGatewayOrHealthCheck(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<SiloHostOptions>>().Value.Gateway)
        {
            app.MapProductOpsGateway();
        }
        else
        {
            app.MapHealthChecks("/healthz");
        }

        return app;
    }

    /// <summary>The options as configured, for wiring decided before the services are built.</summary>
    private static SiloHostOptions SiloHostOptionsOf(WebApplicationBuilder builder) =>
        builder.Configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
}
