using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using ProductOps.Storage.Postgres;
using ProductOps.Testing;

namespace ProductOps.Postgres.Tests;

/// <summary>What the multi-process tests' nodes run with: the generated tenant on PostgreSQL, and
/// an Orleans client of the test's own that reads the grains once the nodes are done.</summary>
internal static class PostgresNodes
{
    /// <summary>A node's environment: the store on <paramref name="connectionString"/>, the
    /// generated tenant (event clock, its churn events) with <paramref name="key"/> for ingest and
    /// reads, and <paramref name="partitions"/> partitions.</summary>
    public static Dictionary<string, string?> Environment(string connectionString, string key, int partitions) => new()
    {
        ["DOTNET_ENVIRONMENT"] = "Production",
        // Timestamps to line the node logs up with the test's notes after a failure.
        ["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ",
        ["Logging__Console__UseUtcTimestamp"] = "true",
        ["ProductOps__Store"] = "Postgres",
        ["ProductOps__Postgres__ConnectionString"] = connectionString,
        ["ProductOps__Postgres__MigrateOnStart"] = "true",
        ["ProductOps__LocalTrial"] = "true",
        ["ProductOps__Pipeline__Partitions"] = partitions.ToString(CultureInfo.InvariantCulture),
        [$"ProductOps__Tenants__{EventStreamGenerator.Tenant}__Clock"] = "Event",
        [$"ProductOps__Tenants__{EventStreamGenerator.Tenant}__ChurnHorizonDays"] = "14",
        [$"ProductOps__Tenants__{EventStreamGenerator.Tenant}__ChurnEvents__0"] = EventStreamGenerator.ChurnEvent,
        [$"ProductOps__Tenants__{EventStreamGenerator.Tenant}__ChurnEvents__1"] = EventStreamGenerator.OtherChurnEvent,
        [$"ProductOps__Tenants__{EventStreamGenerator.Tenant}__Keys__0__Key"] = key,
        [$"ProductOps__Tenants__{EventStreamGenerator.Tenant}__Keys__0__Scopes__0"] = "ingest",
        [$"ProductOps__Tenants__{EventStreamGenerator.Tenant}__Keys__0__Scopes__1"] = "read",
    };

    /// <summary>An Orleans client of the cluster on <paramref name="connectionString"/>, started.</summary>
    public static async Task<IHost> ObserverAsync(string connectionString)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ProductOps:Postgres:ConnectionString"] = connectionString });
        builder.UseOrleansClient(client =>
        {
            client.UsePostgresClustering();
            client.Configure<ClusterOptions>(cluster => cluster.ClusterId = cluster.ServiceId = "productops");
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
