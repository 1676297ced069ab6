using Orleans.TestingHost;
using ProductOps.Grains;
using ProductOps.Storage.Postgres;

namespace ProductOps.Postgres.Tests;

/// <summary>Test silos run the real pipeline on the real PostgreSQL store and membership.</summary>
public sealed class PostgresSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddProductOpsPipeline().AddPostgresStore().AddChurnModels().AddChurnServing();
}
