using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Testing;

namespace ProductOps.Client.Tests;

/// <summary>`productops feature --watch` against a QueryService of the test's own, which cuts and
/// fails its watches on cue: where the CLI calls again from, and when it stops calling.</summary>
public sealed class CliWatchTests
{
    [Fact]
    public async Task FeatureWatch_StreamCut_CallsAgainWithTheLastViewsResumeToken()
    {
        var service = new ScriptedWatches(
            async (_, stream) =>
            {
                await stream.WriteAsync(View(events: 5, token: "after-five"));
                await stream.WriteAsync(View(events: 7, token: "after-seven"));
                throw new RpcException(new Status(StatusCode.Unavailable, "the node is restarting"));
            },
            (_, _) => throw new RpcException(new Status(StatusCode.PermissionDenied, "the script ends here")));
        await using var server = await LoopbackGrpcServer.StartAsync<QueryService.QueryServiceBase>(service);

        var (exitCode, output, error) = await CliProcess.RunAsync("feature", "search", "--watch", "--address", server.Address.ToString());

        Assert.True(exitCode == 1, $"exit {exitCode}: {error}");
        Assert.Equal(["", "after-seven"], service.ResumeTokens);
        Assert.Contains("The watch was interrupted (Unavailable: the node is restarting); calling again...", error, StringComparison.Ordinal);
        Assert.Contains("error: PermissionDenied: the script ends here", error, StringComparison.Ordinal);
        Assert.Contains("events       7", output, StringComparison.Ordinal);
    }

    /// <summary>A stopping server's cut can look like Internal, so the CLI calls again after one;
    /// a server that fails every call so stops the CLI with its error rather than retrying forever.</summary>
    [Fact]
    public async Task FeatureWatch_EveryCallFailsInternal_StopsWithTheErrorAfterAFewCalls()
    {
        var service = new ScriptedWatches((_, _) => throw new RpcException(new Status(StatusCode.Internal, "the server is broken")));
        await using var server = await LoopbackGrpcServer.StartAsync<QueryService.QueryServiceBase>(service);

        var (exitCode, _, error) = await CliProcess.RunAsync("feature", "search", "--watch", "--address", server.Address.ToString());

        Assert.True(exitCode == 1, $"exit {exitCode}: {error}");
        Assert.Equal(6, service.ResumeTokens.Count); // the first call and five more (WatchRetry.MaxServerErrorsInARow)
        Assert.Contains("error: Internal: the server is broken", error, StringComparison.Ordinal);
    }

    /// <summary>A server that sends a view, then fails, is in place only for a moment each time:
    /// the first view does not start the count of failures in a row again.</summary>
    [Fact]
    public async Task FeatureWatch_EveryCallSendsAViewThenFailsInternal_StopsWithTheErrorAfterAFewCalls()
    {
        var service = new ScriptedWatches(async (_, stream) =>
        {
            await stream.WriteAsync(View(events: 5, token: "after-five"));
            throw new RpcException(new Status(StatusCode.Internal, "the server is broken"));
        });
        await using var server = await LoopbackGrpcServer.StartAsync<QueryService.QueryServiceBase>(service);

        var (exitCode, _, error) = await CliProcess.RunAsync("feature", "search", "--watch", "--address", server.Address.ToString());

        Assert.True(exitCode == 1, $"exit {exitCode}: {error}");
        Assert.Equal(6, service.ResumeTokens.Count);
        Assert.Contains("error: Internal: the server is broken", error, StringComparison.Ordinal);
    }

    /// <summary>`watch` is admitted (its headers sent), then fails: alerts may rightly not come for
    /// hours, but a watch that fails the moment it is admitted, every time, is a broken server.</summary>
    [Fact]
    public async Task AtRiskWatch_EveryCallAdmittedThenFailsInternal_StopsWithTheErrorAfterAFewCalls()
    {
        var service = new AdmittedThenFailingAtRiskWatches();
        await using var server = await LoopbackGrpcServer.StartAsync<QueryService.QueryServiceBase>(service);

        var (exitCode, _, error) = await CliProcess.RunAsync("watch", "--address", server.Address.ToString());

        Assert.True(exitCode == 1, $"exit {exitCode}: {error}");
        Assert.Equal(6, service.Calls);
        Assert.Equal(["", "from-admission"], service.ResumeTokens.Distinct());
        Assert.Contains("error: Internal: the server is broken", error, StringComparison.Ordinal);
    }

    private static FeatureView View(long events, string token) =>
        new() { Feature = "search", EventsAllTime = events, AsOf = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch), ResumeToken = token };

    /// <summary>Answers the n-th WatchFeature call with the n-th script (the last one for any call
    /// after it), keeping each call's resume token.</summary>
    private sealed class ScriptedWatches(params Func<WatchFeatureRequest, IServerStreamWriter<FeatureView>, Task>[] scripts)
        : QueryService.QueryServiceBase
    {
        private readonly ConcurrentQueue<string> _resumeTokens = new();

        public IReadOnlyList<string> ResumeTokens => [.. _resumeTokens];

        public override Task WatchFeature(WatchFeatureRequest request, IServerStreamWriter<FeatureView> responseStream, ServerCallContext context)
        {
            _resumeTokens.Enqueue(request.ResumeToken);
            return scripts[Math.Min(_resumeTokens.Count, scripts.Length) - 1](request, responseStream);
        }
    }

    /// <summary>Admits every WatchAtRisk call with a resume token in its headers, then fails it.</summary>
    private sealed class AdmittedThenFailingAtRiskWatches : QueryService.QueryServiceBase
    {
        private readonly ConcurrentQueue<string> _resumeTokens = new();

        public int Calls => _resumeTokens.Count;

        public IReadOnlyList<string> ResumeTokens => [.. _resumeTokens];

        public override async Task WatchAtRisk(WatchAtRiskRequest request, IServerStreamWriter<AtRiskAlert> responseStream, ServerCallContext context)
        {
            _resumeTokens.Enqueue(request.ResumeToken);
            await context.WriteResponseHeadersAsync(new Metadata { { "resume-token", "from-admission" } });
            throw new RpcException(new Status(StatusCode.Internal, "the server is broken"));
        }
    }
}
