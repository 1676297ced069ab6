using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Testing;
using Xunit.Abstractions;
using static ProductOps.Gateway.Tests.EventFactory;

namespace ProductOps.Gateway.Tests;

/// <summary>
/// A SIGTERM while clients hold streams open: a dashboard's WatchAtRisk and WatchOverview and a
/// producer's idle TrackStream never end on their own, and an export or a TrackStream whose caller
/// stopped reading would wait on it for ever; the node must still stop gracefully (its partitions
/// drained and checkpointed) rather than spend its whole shutdown timeout waiting for them.
/// </summary>
public sealed class GracefulStopTests(ITestOutputHelper output)
{
    // Far above what a stop needs, so a node that waits on its callers shows it by not exiting.
    private static readonly Dictionary<string, string> LongShutdown = new() { ["ProductOps:Silo:ShutdownTimeout"] = "00:03:00" };
    private static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(60);

    // Predictions of ~40 bytes each: several times what HTTP/2's flow-control windows and the
    // server's response buffer hold between an export and a caller that does not read.
    private const int StalledExportUsers = 8_000;

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

    [Fact]
    public async Task Stop_WithAnExportWhoseCallerStoppedReading_ResetsItAndStopsGracefully()
    {
        using var data = new TempDirectory();
        await using var node = await SiloProcess.StartAsync(data.Path, settings: new Dictionary<string, string>(LongShutdown)
        {
            ["ProductOps:Churn:RescoreDelay"] = "00:00:00.200",
        });
        await CancelledUsers.CreateAsync(node, StalledExportUsers);

        // The caller reads one prediction and no more: the rest fill the flow-control windows and
        // the server's next write waits for a reader that never comes.
        using var export = node.Query.ExportPredictions(new ExportPredictionsRequest(), DemoTenant.Read);
        Assert.True(await export.ResponseStream.MoveNext(CancellationToken.None));
        var stopping = Stopwatch.StartNew();
        Assert.Equal(0, await node.StopAsync(StopPatience));
        output.WriteLine($"stop took {stopping.Elapsed.TotalSeconds:0.0} s");

        Assert.DoesNotContain("non-graceful", node.FullOutput, StringComparison.Ordinal);
        // What it had not read cannot reach it any more: the call ends in an error, not as a whole export.
        var end = await Assert.ThrowsAsync<RpcException>(() => Drain(export));
        output.WriteLine($"the export's caller saw {end.Status}");
    }

    [Fact]
    public async Task Stop_WithATrackStreamWhoseCallerReadsNoAnswers_CutsItOffAndStopsGracefully()
    {
        using var data = new TempDirectory();
        await using var node = await SiloProcess.StartAsync(data.Path, settings: LongShutdown);
        var prefix = Prefix("unread");

        // Each batch is answered with ~200 rejections, so a few answers fill the flow-control
        // windows; its one valid event counts the batches the server has taken.
        using var stream = node.Ingest.TrackStream(DemoTenant.Ingest);
        var sending = Task.Run(async () =>
        {
            for (var b = 0; b < 300; b++)
            {
                var batch = new TrackRequest { BatchId = $"{prefix}-{b}" };
                batch.Events.Add(Event($"{prefix}-u", $"{prefix}-e{b}", "feature_used", DateTimeOffset.UtcNow.AddMinutes(-1)));
                batch.Events.AddRange(Enumerable.Range(0, 200).Select(i => Event($"{prefix}-u", $"{prefix}-bad{b}-{i}", "feature_used", DateTimeOffset.UtcNow, value: double.NaN)));
                await stream.RequestStream.WriteAsync(batch);
            }
        });
        await Polling.Until(async () => (await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read)).TotalEvents >= 60,
            Polling.DefaultTimeout, () => node.Output);

        var stopping = Stopwatch.StartNew();
        Assert.Equal(0, await node.StopAsync(StopPatience));
        output.WriteLine($"stop took {stopping.Elapsed.TotalSeconds:0.0} s");

        Assert.DoesNotContain("non-graceful", node.FullOutput, StringComparison.Ordinal);
        // The call ended under the sender: its blocked write fails rather than waiting on for ever.
        var sendEnd = await Record.ExceptionAsync(() => sending.WaitAsync(Polling.DefaultTimeout));
        Assert.True(sendEnd is not (null or TimeoutException), $"the sender: {sendEnd?.GetType().Name ?? "all sent"}");
    }

    /// <summary>Reads a stream to its end: the messages it sends, then its status.</summary>
    private static async Task Drain<T>(AsyncServerStreamingCall<T> call)
    {
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
        }
    }
}
