using Microsoft.Extensions.Configuration;
using Orleans.Core.Internal;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;
using ProductOps.Storage;
using ProductOps.Testing;
using ProductOps.Testing.Cluster;

namespace ProductOps.Cluster.Tests;

/// <summary>Builds test clusters whose silos share one data folder, as silos of one deployment
/// share one database.</summary>
public static class TestClusterFactory
{
    public const int Partitions = 8;

    /// <summary>A tenant on the event clock with the generator's churn events and an alert
    /// threshold of 0.3, for the churn serving tests (the shared log's tenant stays the oracle's).</summary>
    public const string ServingTenant = "serving";

    public const double ServingAlertThreshold = 0.3;

    public static async Task<TestCluster> StartAsync(string dataDir, short silos, IDictionary<string, string?>? extraSettings = null)
    {
        var builder = new TestClusterBuilder(silos);
        builder.AddSiloBuilderConfigurator<ClusterSiloConfigurator>();
        var settings = ClusterTestSettings.Pipeline(Partitions);
        settings["ProductOps:DataDir"] = dataDir;
        settings["ProductOps:Churn:ModelRefreshInterval"] = "00:00:00"; // an activation is seen at once
        settings["ProductOps:Churn:RescoreDelay"] = "00:00:00.100";
        settings["ProductOps:Churn:SweepCheckInterval"] = "00:00:00.200";
        settings["ProductOps:Churn:IndexPersistInterval"] = "00:00:01";
        settings[$"ProductOps:Tenants:{ServingTenant}:Clock"] = "Event";
        settings[$"ProductOps:Tenants:{ServingTenant}:AlertThreshold"] = "0.3";
        settings[$"ProductOps:Tenants:{ServingTenant}:ChurnEvents:0"] = EventStreamGenerator.ChurnEvent;
        settings[$"ProductOps:Tenants:{ServingTenant}:ChurnEvents:1"] = EventStreamGenerator.OtherChurnEvent;
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(settings));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Runs <paramref name="test"/> against a cluster of its own on a fresh data folder,
    /// for tests that break their cluster; stops and removes it afterwards.</summary>
    public static async Task WithClusterAsync(
        short silos, Func<TestCluster, PipelineDriver, Task> test, IDictionary<string, string?>? extraSettings = null)
    {
        var dataDir = Directory.CreateTempSubdirectory("productops-cluster-").FullName;
        var cluster = await StartAsync(dataDir, silos, extraSettings);
        try
        {
            using var log = OpenLog(dataDir);
            await test(cluster, Driver(() => cluster.Client, log));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>The silos that hold an activation of <paramref name="grain"/> now (briefly two around a membership change).</summary>
    public static async Task<SiloAddress[]> HostsOfAsync(TestCluster cluster, IAddressable grain)
    {
        var statistics = await cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(null, null);
        return [.. statistics.Where(s => s.GrainId == grain.GetGrainId()).Select(s => s.SiloAddress).Distinct()];
    }

    /// <summary>Moves <paramref name="grain"/>'s activation (made if none) to <paramref name="target"/>,
    /// gracefully, as a rebalance would, and waits until it is there.</summary>
    public static async Task MoveToAsync(TestCluster cluster, IAddressable grain, SiloAddress target, TimeSpan patience)
    {
        if ((await HostsOfAsync(cluster, grain)).SequenceEqual([target]))
        {
            return;
        }

        RequestContext.Set(IPlacementDirector.PlacementHintKey, target);
        try
        {
            await grain.Cast<IGrainManagementExtension>().MigrateOnIdle();
        }
        finally
        {
            RequestContext.Clear();
        }

        await Polling.Until(
            async () => (await HostsOfAsync(cluster, grain)).SequenceEqual([target]),
            patience,
            () => $"{grain.GetGrainId()} did not move to {target}");
    }

    /// <summary>A driver that reads the log these silos write, through <paramref name="log"/>.</summary>
    public static PipelineDriver Driver(Func<IGrainFactory> grains, SqliteEventLog log) => new(grains, log, Partitions);

    public static SqliteEventLog OpenLog(string dataDir) =>
        new(Microsoft.Extensions.Options.Options.Create(new StorageOptions { DataDir = dataDir }));
}
