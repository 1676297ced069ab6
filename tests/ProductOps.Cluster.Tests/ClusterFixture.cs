using Orleans.TestingHost;

namespace ProductOps.Cluster.Tests;

/// <summary>One two-silo cluster shared by the tests of <see cref="ClusterCollection"/>.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public string DataDir { get; } = Directory.CreateTempSubdirectory("productops-cluster-").FullName;

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await TestClusterFactory.StartAsync(DataDir, silos: 2);

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Directory.Delete(DataDir, recursive: true);
    }
}
