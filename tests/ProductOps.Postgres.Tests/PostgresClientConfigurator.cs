using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using ProductOps.Storage.Postgres;

namespace ProductOps.Postgres.Tests;

/// <summary>The test client finds the silos' gateways in PostgreSQL membership.</summary>
public sealed class PostgresClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.UsePostgresClustering();
}
