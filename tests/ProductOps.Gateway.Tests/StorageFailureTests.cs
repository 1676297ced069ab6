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

        var partitions = new ProductOps.Grains.Abstractions.PipelineOptions().Partitions; // the node's default
        var file = Path.Combine(data.Path, "log", $"partition-{PartitionMap.PartitionOf(DemoTenant.Id, "u1", partitions):D4}.db");
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

    /// <summary>A full disk under a running node, made with the node's own file-size limit
    /// (RLIMIT_FSIZE, set with prlimit: no root, no special file system): from then on no file of
    /// the node may grow past 4 KiB, so every commit fails (its write-ahead log frames do not fit),
    /// and so do state writes. Callers are told so and nothing they were not acked is counted;
    /// once the limit is lifted (space freed) acks resume without a restart, and every figure
    /// equals the oracle's over what was acked.</summary>
    [Fact]
    public async Task Track_DiskFullMidStream_UnavailableNamingTheCauseThenAcksResumeAndEveryFigureMatchesTheOracle()
    {
        using var data = new TempDirectory();
        await using var node = await SiloProcess.StartAsync(data.Path, launcher: FileSizeSignalIgnored);
        var prefix = Prefix("full");
        var now = DateTimeOffset.UtcNow;
        var features = Enumerable.Range(0, 4).Select(i => $"{prefix}-f{i}").ToList();
        var users = Enumerable.Range(0, 30).Select(i => $"{prefix}-u{i}").ToList();
        var batches = EventFactory.Batches(Usage(prefix, users.Count, features, 6_000, seed: 11, now), 300, prefix);
        var accepted = new AcceptedEvents();
        var third = batches.Count / 3;
        foreach (var batch in batches.Take(third))
        {
            accepted.Add(batch, await node.Ingest.TrackAsync(batch, DemoTenant.Ingest));
        }

        await LimitFileSizeAsync(node.ProcessId, "4096:unlimited");
        var refusals = new List<RpcException>();
        foreach (var batch in batches.Skip(third).Take(3))
        {
            refusals.Add(await Assert.ThrowsAsync<RpcException>(async () => await node.Ingest.TrackAsync(batch, DemoTenant.Ingest, deadline: DateTime.UtcNow.AddSeconds(30))));
        }

        await LimitFileSizeAsync(node.ProcessId, "unlimited:unlimited"); // space freed
        foreach (var batch in batches.Skip(third))
        {
            // The refused batches again, with the same ids, and the rest.
            accepted.Add(batch, await Eventually(async () => await node.Ingest.TrackAsync(batch, DemoTenant.Ingest), CatchUpTimeout, () => node.Output));
        }

        Assert.All(refusals, refused =>
        {
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            Assert.Matches("^the event log could not store the batch: partition [0-9]+'s log file: (the disk is full|an I/O error)", refused.Status.Detail);
        });
        Assert.Equal(batches.Sum(b => b.Events.Count), accepted.Count);
        var oracle = accepted.Replay();
        await Eventually(async () =>
        {
            var overview = await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
            Assert.Equal(ExpectedViews.Overview(oracle, AcceptedEvents.Ms(overview.AsOf)), ExpectedViews.ActivityOnly(overview));
            foreach (var user in users)
            {
                var actual = await node.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Read);
                Assert.Equal(ExpectedViews.User(oracle, user, AcceptedEvents.Ms(actual.AsOf)), actual);
            }

            foreach (var feature in features)
            {
                var actual = await node.Query.GetFeatureAsync(new GetFeatureRequest { Feature = feature }, DemoTenant.Read);
                Assert.Equal(ExpectedViews.Feature(oracle, feature, AcceptedEvents.Ms(actual.AsOf)), ExpectedViews.WithoutAdoption(actual));
            }
        }, CatchUpTimeout, () => node.Output);
    }

    /// <summary>A shell that ignores SIGXFSZ and execs the node: past its file-size limit a write
    /// then fails with EFBIG, as on a full disk, instead of the signal killing the process.</summary>
    private static readonly string[] FileSizeSignalIgnored = ["/bin/sh", "-c", "trap '' XFSZ; exec \"$@\"", "sh"];

    /// <summary>Sets the process's file-size limit (prlimit, util-linux: "soft:hard" in bytes).</summary>
    private static async Task LimitFileSizeAsync(int processId, string limit)
    {
        using var prlimit = System.Diagnostics.Process.Start("prlimit", ["--pid", processId.ToString(System.Globalization.CultureInfo.InvariantCulture), $"--fsize={limit}"]);
        await prlimit.WaitForExitAsync();
        Assert.Equal(0, prlimit.ExitCode);
    }

    /// <summary>Overwrites the file's SQLite header, as a torn write or a stray copy would.</summary>
    private static void Overwrite(string file)
    {
        using var stream = File.OpenWrite(file);
        stream.Write(Enumerable.Repeat((byte)0x5a, 100).ToArray());
    }
}
