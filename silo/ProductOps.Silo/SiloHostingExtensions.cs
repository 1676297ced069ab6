using Orleans.Configuration;
using ProductOps.Grains;
using ProductOps.Storage;

namespace ProductOps.Silo;

/// <summary>Wires the Orleans silo: clustering, storage and the partition keeper.</summary>
public static class SiloHostingExtensions
{
    public static WebApplicationBuilder AddProductOpsSilo(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
        builder.Services.AddOptions<SiloHostOptions>().BindConfiguration(SiloHostOptions.Section);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
            silo.Configure<GrainCollectionOptions>(collection => collection.CollectionAge = TimeSpan.FromMinutes(15));
            silo.AddProductOpsPipeline();
            silo.AddEmbeddedStorage();
            silo.AddEmbeddedChurnModels();
        });

        return builder;
    }
}
