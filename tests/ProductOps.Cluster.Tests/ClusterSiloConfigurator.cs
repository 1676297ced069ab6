using Orleans.TestingHost;
using ProductOps.Grains;
using ProductOps.Storage;

namespace ProductOps.Cluster.Tests;

/// <summary>Test silos run the real pipeline over the real embedded store.</summary>
public sealed class ClusterSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddProductOpsPipeline().AddEmbeddedStorage().AddEmbeddedChurnModels().AddChurnServing();
}
