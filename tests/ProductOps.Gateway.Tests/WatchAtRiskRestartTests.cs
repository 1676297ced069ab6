using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Gateway.Query;
using ProductOps.Testing;

namespace ProductOps.Gateway.Tests;

/// <summary>A watch resumed across a node restart (each test owns its node and data): after a
/// graceful stop the tenant's feed carries on from its stored place, so the watch resumes; after a
/// crash the feed starts over, and the resumed watch is told alerts may have been missed.</summary>
public sealed class WatchAtRiskRestartTests
{
    /// <summary>How long a resumed watch is listened to once in place.</summary>
    private static readonly TimeSpan Listening = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task WatchAtRisk_ResumedAfterAGracefulRestart_CarriesOn()
    {
        using var data = new TempDirectory();
        var token = await WatchStartTokenThenStopAsync(data.Path, crash: false);
        await using var restarted = await SiloProcess.StartAsync(data.Path);
        using var listening = new CancellationTokenSource();
        using var watch = restarted.Query.WatchAtRisk(new WatchAtRiskRequest { ResumeToken = token }, DemoTenant.Read, cancellationToken: listening.Token);

        // Its headers carry the place only once the feed accepted it (a lost one is refused first,
        // in a response of trailers alone).
        var headers = await watch.ResponseHeadersAsync.WaitAsync(Polling.DefaultTimeout);
        listening.CancelAfter(Listening);
        var ended = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(token, headers.GetValue(QueryGrpcService.AtRiskResumeHeader));
        Assert.Equal(StatusCode.Cancelled, ended.StatusCode); // still watching when the test let go
    }

    [Fact]
    public async Task WatchAtRisk_ResumedAfterACrash_AbortedSayingAlertsMayBeMissed()
    {
        using var data = new TempDirectory();
        var token = await WatchStartTokenThenStopAsync(data.Path, crash: true);
        await using var restarted = await SiloProcess.StartAsync(data.Path);
        using var patience = new CancellationTokenSource(Polling.DefaultTimeout);
        using var watch = restarted.Query.WatchAtRisk(new WatchAtRiskRequest { ResumeToken = token }, DemoTenant.Read, cancellationToken: patience.Token);

        var headers = await watch.ResponseHeadersAsync;
        var error = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Null(headers.GetValue(QueryGrpcService.AtRiskResumeHeader)); // refused before the watch was in place
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Contains("lost with the server holding it", error.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>The CLI's `watch` resumes from where it was when its node restarts, rather than
    /// failing or starting over.</summary>
    [Fact]
    public async Task CliWatch_NodeRestartsGracefully_ResumesWhereItWas()
    {
        using var data = new TempDirectory();
        var node = await SiloProcess.StartAsync(data.Path);
        var port = node.GrpcPort;
        using var cli = CliProcess.Start("watch", "--address", $"http://127.0.0.1:{port}");
        try
        {
            await Polling.Until(() => cli.Error.Contains("Watching for users", StringComparison.Ordinal), Polling.DefaultTimeout, () => cli.Output + cli.Error);
            Assert.Equal(0, await node.StopAsync());
            await Polling.Until(() => cli.Error.Contains("The watch was interrupted", StringComparison.Ordinal), Polling.DefaultTimeout, () => cli.Output + cli.Error);
        }
        finally
        {
            await node.DisposeAsync();
        }

        await using var restarted = await SiloProcess.StartAsync(data.Path, grpcPort: port);
        // Said only once the resumed place was accepted (a lost one is refused before the headers).
        await Polling.Until(() => cli.Error.Contains("Resumed where the watch was.", StringComparison.Ordinal), Polling.DefaultTimeout, () => cli.Output + cli.Error);
        var exitCode = await cli.InterruptAsync();

        Assert.True(exitCode == 0, $"exit {exitCode}: {cli.Error}");
        // No failure of the command itself ("error: ..."); the retries' own lines may quote
        // connection errors while the node is down.
        Assert.DoesNotContain(cli.Error.Split('\n'), line => line.StartsWith("error:", StringComparison.Ordinal));
    }

    /// <summary>The resume token of a watch on a node of its own, taken from its headers before the
    /// node stops (SIGTERM) or crashes (SIGKILL).</summary>
    private static async Task<string> WatchStartTokenThenStopAsync(string dataDir, bool crash)
    {
        await using var node = await SiloProcess.StartAsync(dataDir);
        using var watch = node.Query.WatchAtRisk(new WatchAtRiskRequest(), DemoTenant.Read);
        var token = (await watch.ResponseHeadersAsync).GetValue(QueryGrpcService.AtRiskResumeHeader);
        Assert.False(string.IsNullOrEmpty(token));
        if (crash)
        {
            await node.CrashAsync();
        }
        else
        {
            Assert.Equal(0, await node.StopAsync());
        }

        return token;
    }
}
