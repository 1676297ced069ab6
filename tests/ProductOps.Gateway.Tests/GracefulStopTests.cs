using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Core;
using ProductOps.Contracts.V1;
using Xunit.Abstractions;
using static ProductOps.Gateway.Tests.EventFactory;

namespace ProductOps.Gateway.Tests;

/// <summary>
/// A SIGTERM while clients hold streams open: a dashboard's WatchAtRisk and WatchOverview and a
/// producer's idle TrackStream never end on their own, and the node must still stop gracefully (its partitions
/// drained and checkpointed) rather than spend its whole shutdown timeout waiting for them.
/// </summary>
public sealed class GracefulStopTests(ITestOutputHelper output)
{
    // Far above what a stop needs, so a node that waits on its callers shows it by not exiting.
    private static readonly Dictionary<string, string> LongShutdown = new() { ["ProductOps:Silo:ShutdownTimeout"] = "00:03:00" };
    private static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Stop_WithOpenWatchAndTrackStream_EndsThemUnavailableAndCheckpointsEverything()
    {
        using var data = new TempDirectory();
        var events = Usage(Prefix("stop"), users: 20, ["search", "export"], count: 2_000, seed: 7, DateTimeOffset.UtcNow);
        var batches = Batches(events, 250, Prefix("stop-batch"));
        long accepted = 0;
        // No checkpoint while running: only the graceful stop can leave nothing to re-dispatch.
        await using (var node = await SiloProcess.StartAsync(data.Path, checkpointInterval: TimeSpan.FromMinutes(5), settings: LongShutdown))
        {
            using var watch = node.Query.WatchAtRisk(new WatchAtRiskRequest(), DemoTenant.Read);
            await watch.ResponseHeadersAsync;
            using var overviewWatch = node.Query.WatchOverview(new WatchOverviewRequest(), DemoTenant.Read);
            Assert.True(await overviewWatch.ResponseStream.MoveNext(CancellationToken.None)); // its first view
            using var stream = node.Ingest.TrackStream(DemoTenant.Ingest);
            foreach (var batch in batches)
            {
                await stream.RequestStream.WriteAsync(batch);
                Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
                accepted += stream.ResponseStream.Current.Accepted;
            }

            Assert.Equal(events.Count, accepted);
            // Both clients are waiting for their next message when the stop comes, as live ones are.
            var watchNext = watch.ResponseStream.MoveNext(CancellationToken.None);
            var overviewNext = Drain(overviewWatch);
            var streamNext = stream.ResponseStream.MoveNext(CancellationToken.None);
            var stopping = Stopwatch.StartNew();
            Assert.Equal(0, await node.StopAsync(StopPatience));
            output.WriteLine($"stop took {stopping.Elapsed.TotalSeconds:0.0} s");

            // Ended by the server with a status a client retries elsewhere, not cut off.
            var watchEnd = await Assert.ThrowsAsync<RpcException>(() => watchNext);
            Assert.Equal(StatusCode.Unavailable, watchEnd.StatusCode);
            var overviewEnd = await Assert.ThrowsAsync<RpcException>(() => overviewNext);
            Assert.Equal(StatusCode.Unavailable, overviewEnd.StatusCode);
            // The producer's request side is still open, so its HttpClient may let the connection's
            // close overtake the trailers it already received; the server's status is in its log.
            var streamEnd = await Assert.ThrowsAsync<RpcException>(() => streamNext);
            output.WriteLine($"the TrackStream client saw {streamEnd.StatusCode}");
            Assert.Equal(3, Regex.Count(node.FullOutput, "'Unavailable' with detail 'this gateway is stopping"));
            Assert.DoesNotContain("non-graceful", node.FullOutput, StringComparison.Ordinal); // Orleans' word for a stop that persisted nothing
        }

        await using var restarted = await SiloProcess.StartAsync(data.Path);
        var overview = await restarted.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
        Assert.Equal(accepted, overview.TotalEvents);
        Assert.True(overview.Freshness.CaughtUp, $"{overview.Freshness}");
    }

    /// <summary>Reads a view watch to its end: the views it sends while the events land, then its status.</summary>
    private static async Task Drain(AsyncServerStreamingCall<OverviewView> watch)
    {
        while (await watch.ResponseStream.MoveNext(CancellationToken.None))
        {
        }
    }
}
