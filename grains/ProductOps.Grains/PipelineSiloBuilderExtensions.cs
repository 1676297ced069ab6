using Microsoft.Extensions.DependencyInjection;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>Adds the ingestion pipeline's silo-side services. Storage is chosen by the host.</summary>
public static class PipelineSiloBuilderExtensions
{
    public static ISiloBuilder AddProductOpsPipeline(this ISiloBuilder silo)
    {
        silo.Services.AddProductOpsTenancy();
        silo.Services.AddSingleton<KeptDeltaJournal>();
        silo.Services.AddSingleton<UserGrainServices>();
        silo.Services.AddSingleton<LocalPartitions>();
        silo.Services.AddHostedService<PartitionKeeper>();
        return silo;
    }
}
