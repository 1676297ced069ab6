using Microsoft.Extensions.DependencyInjection;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>Adds the ingestion pipeline's silo-side services. Storage is chosen by the host.</summary>
public static class PipelineSiloBuilderExtensions
{
    /// <summary>Partition writers and their keeper, user state services, tenancy, and the check of
    /// the configured partition count against the data set's.</summary>
    public static ISiloBuilder AddProductOpsPipeline(this ISiloBuilder silo)
    {
        // One activation per grain, even while silos crash and join. With Orleans' default
        // directory a silo's crash leaves a moment in which a grain can have two activations; two
        // of one user, each applying part of its events, would each count a first use (see
        // docs/architecture.md, "One activation per grain").
#pragma warning disable ORLEANSEXP003 // Orleans marks this directory experimental
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        silo.Services.AddProductOpsTenancy();
        silo.Services.AddSingleton<KeptDeltaJournal>();
        silo.Services.AddSingleton<UserGrainServices>();
        silo.Services.AddSingleton<LocalPartitions>();
        silo.Services.AddSingleton<DispatchMemory>();
        silo.Services.AddMetrics(); // a host that has no IMeterFactory yet (a test cluster's silo) gets one
        silo.Services.AddSingleton<PipelineMetrics>();
        silo.Services.AddHostedService<PartitionKeeper>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, DataSetStartup>();
        return silo;
    }
}
