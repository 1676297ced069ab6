using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Testing;
using static ProductOps.Gateway.Tests.EventFactory;

namespace ProductOps.Gateway.Tests;

/// <summary>The TrackStreams a tenant may hold open on a gateway, on a node of its own that
/// allows two per tenant and has a second tenant.</summary>
public sealed class TrackStreamLimitTests
{
    private const string OtherIngestKey = "other-ingest-key";

    [Fact]
    public async Task TrackStream_TenantAtItsLimit_ItsNextStreamRefusedUnreadOtherTenantsStillStream()
    {
        using var data = new TempDirectory();
        await using var node = await SiloProcess.StartAsync(data.Path, settings: new Dictionary<string, string>
        {
            ["ProductOps:Gateway:MaxTrackStreamsPerTenant"] = "2",
            ["ProductOps:Tenants:other:Keys:0:Key"] = OtherIngestKey,
            ["ProductOps:Tenants:other:Keys:0:Scopes:0"] = "ingest",
        });
        var prefix = Prefix("streams");
        using var first = node.Ingest.TrackStream(DemoTenant.Ingest);
        using var second = node.Ingest.TrackStream(DemoTenant.Ingest);
        await AnsweredAsync(first, $"{prefix}-first"); // both streams in place
        await AnsweredAsync(second, $"{prefix}-second");

        // Nothing is sent on it: the refusal comes on the call's headers, before any request is
        // read (and a write into a call already ended would hide its status). A stream in place
        // would wait for requests.
        using var third = node.Ingest.TrackStream(DemoTenant.Ingest);
        var next = third.ResponseStream.MoveNext(CancellationToken.None);
        await Polling.Until(() => next.IsCompleted, Polling.DefaultTimeout, () => $"a third stream is open{Environment.NewLine}{node.Output}");
        var refused = (await Assert.ThrowsAsync<RpcException>(() => next)).Status;
        using var others = node.Ingest.TrackStream(DemoTenant.Headers(OtherIngestKey));
        await AnsweredAsync(others, $"{prefix}-other");

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("2 TrackStream calls open on this gateway", refused.Detail, StringComparison.Ordinal);
        Assert.Contains("ProductOps:Gateway:MaxTrackStreamsPerTenant", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(1, MetricsTests.Sum(await MetricsTests.ScrapeAsync(node), "productops_streams_refused_total", "kind=\"track_stream\""));

        // A stream that ends gives its slot back: its call ends only once its handler has.
        await first.RequestStream.CompleteAsync();
        Assert.False(await first.ResponseStream.MoveNext(CancellationToken.None));
        using var again = node.Ingest.TrackStream(DemoTenant.Ingest);
        await AnsweredAsync(again, $"{prefix}-again");
    }

    /// <summary>Sends one batch of one event on <paramref name="stream"/> and checks its answer.</summary>
    private static async Task AnsweredAsync(AsyncDuplexStreamingCall<TrackRequest, TrackResponse> stream, string prefix)
    {
        var batch = new TrackRequest { BatchId = prefix, Events = { Event($"{prefix}-u", $"{prefix}-e", "feature_used", DateTimeOffset.UtcNow, "search") } };
        await stream.RequestStream.WriteAsync(batch);

        using var patience = new CancellationTokenSource(Polling.DefaultTimeout);
        Assert.True(await stream.ResponseStream.MoveNext(patience.Token), $"{prefix}: the stream ended unanswered");
        Assert.Equal((batch.BatchId, 1), (stream.ResponseStream.Current.BatchId, stream.ResponseStream.Current.Accepted));
    }
}
