using System.Globalization;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using ProductOps.Testing;

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
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ProductOps:Postgres:ConnectionString"] = connectionString,
            ["ProductOps:Pipeline:Partitions"] = Partitions.ToString(CultureInfo.InvariantCulture),
            ["ProductOps:Pipeline:CheckpointInterval"] = "00:00:00.300",
            ["ProductOps:Pipeline:UserSnapshotEvery"] = "16",
            [$"ProductOps:Tenants:{EventStreamGenerator.Tenant}:Clock"] = "Event",
            [$"ProductOps:Tenants:{EventStreamGenerator.Tenant}:ChurnHorizonDays"] = "14",
            [$"ProductOps:Tenants:{EventStreamGenerator.Tenant}:ChurnEvents:0"] = EventStreamGenerator.ChurnEvent,
            [$"ProductOps:Tenants:{EventStreamGenerator.Tenant}:ChurnEvents:1"] = EventStreamGenerator.OtherChurnEvent,
        }));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
