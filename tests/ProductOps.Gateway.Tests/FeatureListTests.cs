using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Testing;

namespace ProductOps.Gateway.Tests;

/// <summary>ListFeatures cut by its limit says how many features there are, and the CLI says the
/// table is not all of them.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class FeatureListTests(SiloFixture node)
{
    [Fact]
    public async Task ListFeatures_LimitBelowTheFeatures_SaysHowManyThereAre()
    {
        var all = await TrackThreeFeaturesAsync();

        var limited = await node.Query.ListFeaturesAsync(new ListFeaturesRequest { Limit = 2 }, DemoTenant.Read);

        Assert.Equal(2, limited.Features.Count);
        Assert.Equal(all.Features.Count, limited.TotalFeatures);
        Assert.Equal(all.Features.Count, all.TotalFeatures);
    }

    /// <summary>A sort this server does not know (a client built on a newer contract) is refused,
    /// not answered in another order that the caller would take for the one asked.</summary>
    [Fact]
    public async Task ListFeatures_UnknownSort_InvalidArgumentNamingSortBy()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await node.Query.ListFeaturesAsync(new ListFeaturesRequest { SortBy = (FeatureSort)99 }, DemoTenant.Read));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("sort_by", error.Trailers.GetValue("field"));
        Assert.Contains("99", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FeaturesCommand_LimitBelowTheFeatures_SaysTheTableIsNotAllOfThem()
    {
        var all = await TrackThreeFeaturesAsync();

        var (exitCode, output, error) = await CliProcess.RunAsync(
            "features", "--limit", "2", "--address", $"http://127.0.0.1:{node.Silo.GrpcPort}", "--key", DemoTenant.ReadKey);

        Assert.True(exitCode == 0, error);
        Assert.Contains($"Showing 2 of {all.TotalFeatures:N0} features", output, StringComparison.Ordinal);
    }

    /// <summary>Three features of the test's own, and the whole list once they and every feature
    /// acked before them (other tests' on this node) are in it, so the total holds still after.</summary>
    private async Task<ListFeaturesResponse> TrackThreeFeaturesAsync()
    {
        var prefix = EventFactory.Prefix("feature-list");
        var now = DateTimeOffset.UtcNow;
        var track = new TrackRequest
        {
            Events =
            {
                EventFactory.Event($"{prefix}-u", $"{prefix}-1", "feature_used", now, feature: $"{prefix}-a"),
                EventFactory.Event($"{prefix}-u", $"{prefix}-2", "feature_used", now, feature: $"{prefix}-b"),
                EventFactory.Event($"{prefix}-u", $"{prefix}-3", "feature_used", now, feature: $"{prefix}-c"),
            },
        };
        Assert.Equal(3, (await node.Ingest.TrackAsync(track, DemoTenant.Ingest)).Accepted);
        return await Polling.Eventually(async () =>
        {
            Assert.True((await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read)).Freshness.CaughtUp);
            var all = await node.Query.ListFeaturesAsync(new ListFeaturesRequest(), DemoTenant.Read);
            Assert.Equal(3, all.Features.Count(f => f.Feature.StartsWith(prefix, StringComparison.Ordinal)));
            return all;
        }, Polling.DefaultTimeout, () => node.Silo.Output);
    }
}
