using System.Globalization;
using ProductOps.Processes;
using ProductOps.Testing;

namespace ProductOps.Storage.Tests;

/// <summary>The all-in-one node, a real child process over a real data folder, keeps the data
/// set's partition count.</summary>
public sealed class DataSetPartitionsNodeTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("productops-dataset-node-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task Start_OtherPartitionCountOnExistingDataSet_ExitsNonZeroNamingSettingAndCounts()
    {
        await using (var first = Launch(partitions: 8))
        {
            await first.WaitHealthyAsync(Patience);
            Assert.Equal(0, await first.StopAsync());
        }

        await using (var changed = Launch(partitions: 4))
        {
            var exitCode = await changed.WaitForExitAsync(Patience);

            Assert.NotEqual(0, exitCode);
            Assert.Contains(
                $"ProductOps:Pipeline:Partitions is 4, but this data set was created with 8 partitions (recorded in {Path.Combine(_dataDir, "state.db")})",
                changed.FullOutput, StringComparison.Ordinal);
        }

        // Nothing of the refused start stuck: the data set still starts as it was created.
        await using var again = Launch(partitions: 8);
        await again.WaitHealthyAsync(Patience);
        Assert.Equal(0, await again.StopAsync());
    }

    private HostProcess Launch(int partitions)
    {
        var ports = LoopbackPorts.Free(4);
        return HostProcess.Start("node", RepoLayout.SiloDll, ports[1], [
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{ports[0]}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{ports[1]}",
            $"--ProductOps:Silo:SiloPort={ports[2]}",
            $"--ProductOps:Silo:GatewayPort={ports[3]}",
            $"--ProductOps:DataDir={_dataDir}",
            $"--ProductOps:Pipeline:Partitions={partitions.ToString(CultureInfo.InvariantCulture)}",
            "--ProductOps:LocalTrial=true"],
            new Dictionary<string, string?> { ["DOTNET_ENVIRONMENT"] = "Production", ["ASPNETCORE_ENVIRONMENT"] = null },
            workingDirectory: _dataDir);
    }
}
