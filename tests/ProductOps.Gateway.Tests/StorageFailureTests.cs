using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using static ProductOps.Gateway.Tests.EventFactory;
using static ProductOps.Testing.Polling;

namespace ProductOps.Gateway.Tests;

/// <summary>What callers and the operator see when a node's event-log file fails under it, and
/// that the node serves again by itself once the file is mended; each test runs its own node.</summary>
public sealed class StorageFailureTests
{
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Track_PartitionFileCorruptAtStart_UnavailableNamingTheCauseLogNamingTheFileThenServesOnceRestored()
    {
        using var data = new TempDirectory();
        var now = DateTimeOffset.UtcNow;
        var first = new TrackRequest { Events = { Event("u1", "e1", "login", now.AddMinutes(-2)) } };
        var second = new TrackRequest { Events = { Event("u1", "e2", "login", now.AddMinutes(-1)) } };
        await using (var node = await SiloProcess.StartAsync(data.Path))
        {
            Assert.Equal(1, (await node.Ingest.TrackAsync(first, DemoTenant.Ingest)).Accepted);
            Assert.Equal(0, await node.StopAsync());
        }

        var file = Path.Combine(data.Path, "log", $"partition-{PartitionMap.PartitionOf(DemoTenant.Id, "u1", 32):D4}.db");
        var backup = file + ".backup";
        File.Copy(file, backup);
        Overwrite(file);

        await using var restarted = await SiloProcess.StartAsync(data.Path);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await restarted.Ingest.TrackAsync(second, DemoTenant.Ingest));

        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("log file: the file is corrupt", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("nothing from this request was acknowledged; retry with the same event ids", refused.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(data.Path, refused.Status.Detail, StringComparison.Ordinal); // the path is for the operator's log
        Assert.Contains($"event log file '{file}': the file is corrupt", restarted.Output, StringComparison.Ordinal);

        // The operator restores the file: the retry is accepted, with nothing lost or doubled.
        File.Copy(backup, file, overwrite: true);
        var retried = await Eventually(async () => await restarted.Ingest.TrackAsync(second, DemoTenant.Ingest), CatchUpTimeout, () => restarted.Output);
        Assert.Equal(1, retried.Accepted);
        Assert.Equal(1, (await restarted.Ingest.TrackAsync(first, DemoTenant.Ingest)).Duplicates);
        await Eventually(async () =>
        {
            var user = await restarted.Query.GetUserAsync(new GetUserRequest { UserId = "u1" }, DemoTenant.Read);
            Assert.Equal(2, user.EventCount);
        }, CatchUpTimeout, () => restarted.Output);
    }

    [Fact]
    public async Task Start_StateFileCorrupt_ExitsNonZeroNamingTheFileAndTheCause()
    {
        using var data = new TempDirectory();
        await using (var node = await SiloProcess.StartAsync(data.Path))
        {
            Assert.Equal(0, await node.StopAsync());
        }

        var file = Path.Combine(data.Path, "state.db");
        Overwrite(file);
        await using var restarted = SiloProcess.Launch(data.Path, localTrial: true);

        Assert.NotEqual(0, await restarted.WaitForExitAsync(CatchUpTimeout));
        Assert.Contains($"data file '{file}': the file is corrupt", restarted.Output, StringComparison.Ordinal);
    }

    /// <summary>Overwrites the file's SQLite header, as a torn write or a stray copy would.</summary>
    private static void Overwrite(string file)
    {
        using var stream = File.OpenWrite(file);
        stream.Write(Enumerable.Repeat((byte)0x5a, 100).ToArray());
    }
}
