using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Gateway.Query;
using ProductOps.Testing;
using static ProductOps.Gateway.Tests.EventFactory;
using static ProductOps.Testing.Polling;

namespace ProductOps.Gateway.Tests;

/// <summary>WatchOverview and WatchFeature on the node: views pushed as the aggregates change.
/// (What the loop sends and keeps back, check by check: <see cref="ViewWatchTests"/>.)</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class WatchViewTests(SiloFixture node)
{
    private static readonly Duration Quick = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(250));

    /// <summary>The node's event-log partitions: the default.</summary>
    private static readonly int NodePartitions = new ProductOps.Grains.Abstractions.PipelineOptions().Partitions;

    [Fact]
    public async Task WatchFeature_EventsArrive_PushesTheNewTotalsWithoutBeingAsked()
    {
        var prefix = Prefix("watch-feature");
        var feature = $"{prefix}-search";
        await TrackUntilCountedAsync(prefix, feature, count: 10);

        using var watch = node.Query.WatchFeature(new WatchFeatureRequest { View = new GetFeatureRequest { Feature = feature }, Interval = Quick }, DemoTenant.Read);
        var views = new List<FeatureView> { await NextAsync(watch) };
        await TrackAsync(prefix, feature, first: 10, count: 5);
        while (views[^1].EventsAllTime < 15)
        {
            views.Add(await NextAsync(watch));
        }

        Assert.Equal(10, views[0].EventsAllTime);
        Assert.Equal(15, views[^1].EventsAllTime);
        Assert.Equal(views.Select(v => v.EventsAllTime).Order(), views.Select(v => v.EventsAllTime)); // never back
    }

    [Fact]
    public async Task WatchOverview_EventsArrive_PushesTheNewTotals()
    {
        var prefix = Prefix("watch-overview");
        using var watch = node.Query.WatchOverview(new WatchOverviewRequest { Interval = Quick }, DemoTenant.Read);
        var first = await NextAsync(watch);

        await TrackAsync(prefix, $"{prefix}-export", first: 0, count: 7);
        var latest = first;
        while (latest.TotalEvents < first.TotalEvents + 7)
        {
            latest = await NextAsync(watch);
        }

        Assert.True(latest.Counters.Accepted >= first.Counters.Accepted, "the counters went back");
    }

    /// <summary>Each view carries a resume token; a watch called again with it (a dashboard
    /// reconnecting) sends a view holding at least what that one did, with a token of its own.</summary>
    [Fact]
    public async Task WatchFeature_ResumedWithAViewsToken_SendsAViewNotBehindIt()
    {
        var prefix = Prefix("watch-resume");
        var feature = $"{prefix}-search";
        await TrackUntilCountedAsync(prefix, feature, count: 6);
        var request = new WatchFeatureRequest { View = new GetFeatureRequest { Feature = feature }, Interval = Quick };
        FeatureView seen;
        using (var watch = node.Query.WatchFeature(request, DemoTenant.Read))
        {
            seen = await NextAsync(watch);
        }

        await TrackAsync(prefix, feature, first: 6, count: 2);
        request.ResumeToken = seen.ResumeToken;
        using var resumed = node.Query.WatchFeature(request, DemoTenant.Read);
        var next = await NextAsync(resumed);

        Assert.NotEmpty(seen.ResumeToken);
        Assert.Empty((await node.Query.GetFeatureAsync(new GetFeatureRequest { Feature = feature }, DemoTenant.Read)).ResumeToken); // watches only
        Assert.InRange(next.EventsAllTime, 6, 8);
        Assert.NotEmpty(next.ResumeToken);
    }

    /// <summary>A resumed watch whose grains hold less than the token's view (as after a crash)
    /// sends nothing until they have caught up. The token here is ahead of the feature by two
    /// events in every partition, as its grain would be behind after losing them.</summary>
    [Fact]
    public async Task WatchFeature_ResumedAheadOfTheGrains_NoViewUntilTheyCatchUp()
    {
        var prefix = Prefix("watch-ahead");
        var feature = $"{prefix}-search";
        await TrackUntilCountedAsync(prefix, feature, count: 3);
        var request = new WatchFeatureRequest { View = new GetFeatureRequest { Feature = feature }, Interval = Quick };
        using (var watch = node.Query.WatchFeature(request, DemoTenant.Read))
        {
            var seen = await NextAsync(watch);
            var kind = ViewResumeToken.FeatureKind(feature);
            var version = ViewResumeToken.Decode(seen.ResumeToken, DemoTenant.Id, kind, grains: 2, NodePartitions)!;
            request.ResumeToken = ViewResumeToken.Encode(DemoTenant.Id, kind, version with { Grains = [Ahead(version.Grains[0]!), version.Grains[1]] });
        }

        // The watch reads at once, long before the events tracked next are dispatched: a watch that
        // ignored the token would send the 3 events the grain holds as its first view.
        using var resumed = node.Query.WatchFeature(request, DemoTenant.Read);
        await resumed.ResponseHeadersAsync.WaitAsync(TimeSpan.FromSeconds(10)); // while it holds back: the call is up
        await TrackAsync(prefix, feature, first: 3, count: 6); // past the token in every partition that had one

        Assert.True((await NextAsync(resumed)).EventsAllTime > 3, "a view holding no more than the grains did when the token was made was sent");
    }

    [Fact]
    public async Task WatchOverview_AnotherViewsResumeToken_InvalidArgumentNamingIt()
    {
        var prefix = Prefix("watch-token");
        await TrackAsync(prefix, $"{prefix}-search", first: 0, count: 1);
        var feature = await Eventually(() => node.Query.GetFeatureAsync(new GetFeatureRequest { Feature = $"{prefix}-search" }, DemoTenant.Read).ResponseAsync, DefaultTimeout);
        using var featureWatch = node.Query.WatchFeature(new WatchFeatureRequest { View = new GetFeatureRequest { Feature = feature.Feature } }, DemoTenant.Read);
        var token = (await NextAsync(featureWatch)).ResumeToken;

        using var watch = node.Query.WatchOverview(new WatchOverviewRequest { ResumeToken = token }, DemoTenant.Read);
        var error = await Assert.ThrowsAsync<RpcException>(() => NextAsync(watch));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("resume_token", error.Trailers.GetValue("field"));
        Assert.Contains("a watch of another view", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchFeature_FeatureWithoutEvents_NotFoundAtOnce()
    {
        using var watch = node.Query.WatchFeature(new WatchFeatureRequest { View = new GetFeatureRequest { Feature = Prefix("watch-none") } }, DemoTenant.Read);

        var error = await Assert.ThrowsAsync<RpcException>(() => NextAsync(watch));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("view.feature", error.Trailers.GetValue("field")); // its place in the watch request
    }

    [Fact]
    public async Task WatchOverview_ReversedRange_InvalidArgumentNamingTheViewsField()
    {
        var now = DateTimeOffset.UtcNow;
        var view = new GetOverviewRequest { From = Timestamp.FromDateTimeOffset(now), To = Timestamp.FromDateTimeOffset(now.AddDays(-1)) };
        using var watch = node.Query.WatchOverview(new WatchOverviewRequest { View = view }, DemoTenant.Read);

        var error = await Assert.ThrowsAsync<RpcException>(() => NextAsync(watch));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("view.to", error.Trailers.GetValue("field"));
        Assert.StartsWith("view.to: must be after from", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(120_000)]
    public async Task WatchOverview_IntervalOutOfRange_InvalidArgumentNamingInterval(int intervalMs)
    {
        var request = new WatchOverviewRequest { Interval = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(intervalMs)) };
        using var watch = node.Query.WatchOverview(request, DemoTenant.Read);

        var error = await Assert.ThrowsAsync<RpcException>(() => NextAsync(watch));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("interval", error.Trailers.GetValue("field"));
        Assert.Contains("250 ms to 60 s", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CliOverviewWatch_EventsArrive_PrintsTheNewOverviewUntilCtrlC()
    {
        var prefix = Prefix("watch-cli");
        using var cli = CliProcess.Start("overview", "--watch", "--address", $"http://127.0.0.1:{node.Silo.GrpcPort}");
        await Until(() => cli.Output.Contains("Tenant overview as of", StringComparison.Ordinal), DefaultTimeout, () => cli.Output + cli.Error);

        await TrackAsync(prefix, $"{prefix}-share", first: 0, count: 3);
        await Until(() => cli.Output.Contains(new string('-', 72), StringComparison.Ordinal), DefaultTimeout, () => cli.Output + cli.Error);
        var exitCode = await cli.InterruptAsync();

        Assert.True(exitCode == 0, $"exit {exitCode}: {cli.Error}");
        Assert.True(cli.Output.Split("Tenant overview as of").Length >= 3, cli.Output); // the first view and at least one more
    }

    /// <summary>A version 2 events ahead of <paramref name="version"/> in each of its partitions.</summary>
    private static ReceiverVersion Ahead(ReceiverVersion version) =>
        ReceiverVersion.Of(Enumerable.Range(0, NodePartitions).Where(p => version.CountOf(p) > 0).ToDictionary(p => p, p => version.CountOf(p) + 2));

    /// <summary>Tracks <paramref name="count"/> events of a new feature and waits until its view counts them.</summary>
    private async Task TrackUntilCountedAsync(string prefix, string feature, int count)
    {
        await TrackAsync(prefix, feature, first: 0, count);
        await Eventually(async () => Assert.Equal(count, (await node.Query.GetFeatureAsync(new GetFeatureRequest { Feature = feature }, DemoTenant.Read)).EventsAllTime),
            DefaultTimeout, () => node.Silo.Output);
    }

    private async Task TrackAsync(string prefix, string feature, int first, int count)
    {
        var request = new TrackRequest { BatchId = $"{prefix}-{first}" };
        for (var i = first; i < first + count; i++)
        {
            request.Events.Add(Event($"{prefix}-u{i % 3}", $"{prefix}-e{i}", "feature_used", DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1), feature));
        }

        Assert.Equal(count, (await node.Ingest.TrackAsync(request, DemoTenant.Ingest)).Accepted);
    }

    private static async Task<T> NextAsync<T>(AsyncServerStreamingCall<T> call)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token), "the watch ended");
        return call.ResponseStream.Current;
    }
}
