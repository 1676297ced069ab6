using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using ProductOps.Testing.Cluster;

namespace ProductOps.Postgres.Tests;

/// <summary>Builds TestingHost clusters whose membership, grain state and event log are one
/// PostgreSQL database (UseTestClusterMembership = false).</summary>
public static class PostgresClusterFactory
{
    public const int Partitions = 8;

    public static async Task<TestCluster> StartAsync(string connectionString, short silos)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.UseTestClusterMembership = false;
        builder.AddSiloBuilderConfigurator<PostgresSiloConfigurator>();
        builder.AddClientBuilderConfigurator<PostgresClientConfigurator>();
        var settings = ClusterTestSettings.Pipeline(Partitions);
        settings["ProductOps:Postgres:ConnectionString"] = connectionString;
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(settings));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
