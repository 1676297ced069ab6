using Orleans.TestingHost;
using ProductOps.Storage;
using ProductOps.Testing.Cluster;

namespace ProductOps.Cluster.Tests;

/// <summary>One two-silo cluster shared by the tests of <see cref="ClusterCollection"/>.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public string DataDir { get; } = Directory.CreateTempSubdirectory("productops-cluster-").FullName;

    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>The log the silos write, read back by the tests.</summary>
    public SqliteEventLog Log { get; private set; } = null!;

    public PipelineDriver Driver => TestClusterFactory.Driver(() => Cluster.Client, Log);

    public async Task InitializeAsync()
    {
        Cluster = await TestClusterFactory.StartAsync(DataDir, silos: 2);
        Log = TestClusterFactory.OpenLog(DataDir);
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Log.Dispose();
        Directory.Delete(DataDir, recursive: true);
    }
}
