using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Testing;

namespace ProductOps.Gateway.Tests;

/// <summary>The watches a tenant may hold open on a gateway, on a node of its own that
/// allows two per tenant and has a second tenant.</summary>
public sealed class WatchAtRiskLimitTests
{
    private const string OtherReadKey = "other-read-key";

    [Fact]
    public async Task WatchAtRisk_TenantAtItsLimit_ItsNextWatchResourceExhaustedOtherTenantsStillWatch()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path, settings: new Dictionary<string, string>
        {
            ["ProductOps:Gateway:MaxWatchesPerTenant"] = "2",
            ["ProductOps:Gateway:MaxViewWatchesPerTenant"] = "1",
            ["ProductOps:Tenants:other:Keys:0:Key"] = OtherReadKey,
            ["ProductOps:Tenants:other:Keys:0:Scopes:0"] = "read",
        });
        var query = new QueryService.QueryServiceClient(silo.Channel);
        using var first = query.WatchAtRisk(new WatchAtRiskRequest(), DemoTenant.Read);
        using var second = query.WatchAtRisk(new WatchAtRiskRequest(), DemoTenant.Read);
        await first.ResponseHeadersAsync; // both watches in place
        await second.ResponseHeadersAsync;

        // A refused watch ends; one in place would go on, with nothing to send on this node.
        using var third = query.WatchAtRisk(new WatchAtRiskRequest(), DemoTenant.Read);
        var next = third.ResponseStream.MoveNext(CancellationToken.None);
        await Polling.Until(() => next.IsCompleted, Polling.DefaultTimeout, () => $"a third watch is open{Environment.NewLine}{silo.Output}");
        var refused = (await Assert.ThrowsAsync<RpcException>(() => next)).Status;
        using var others = query.WatchAtRisk(new WatchAtRiskRequest(), DemoTenant.Headers(OtherReadKey));
        await others.ResponseHeadersAsync;

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("ProductOps:Gateway:MaxWatchesPerTenant", refused.Detail, StringComparison.Ordinal);

        // Dashboards' view watches have a bound of their own: the at-risk watches' does not refuse
        // them, nor they the at-risk watches.
        using var overview = query.WatchOverview(new WatchOverviewRequest(), DemoTenant.Read);
        Assert.True(await overview.ResponseStream.MoveNext(CancellationToken.None));
        using var secondOverview = query.WatchOverview(new WatchOverviewRequest(), DemoTenant.Read);
        var overviewRefused = await Assert.ThrowsAsync<RpcException>(() => secondOverview.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.ResourceExhausted, overviewRefused.StatusCode);
        Assert.Contains("ProductOps:Gateway:MaxViewWatchesPerTenant", overviewRefused.Status.Detail, StringComparison.Ordinal);

        // A watch that ends gives its slot back.
        first.Dispose();
        await Polling.Eventually(async () =>
        {
            using var again = query.WatchAtRisk(new WatchAtRiskRequest(), DemoTenant.Read);
            await again.ResponseHeadersAsync;
        }, Polling.DefaultTimeout, () => silo.Output);
    }
}
