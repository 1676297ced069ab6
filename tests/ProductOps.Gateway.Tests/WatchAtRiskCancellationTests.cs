using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Testing;

namespace ProductOps.Gateway.Tests;

/// <summary>A watcher that goes away ends the server's side of the watch: on a node of its own,
/// whose log shows nothing but this test's calls.</summary>
public sealed class WatchAtRiskCancellationTests
{
    [Fact]
    public async Task WatchAtRisk_ClientCancels_ServerEndsTheCallAsCancelled()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path);
        var query = new QueryService.QueryServiceClient(silo.Channel);
        using var cancel = new CancellationTokenSource();
        using var call = query.WatchAtRisk(new WatchAtRiskRequest(), DemoTenant.Read, cancellationToken: cancel.Token);
        await call.ResponseHeadersAsync; // the watch is in place: the server is polling the tenant's feed

        await cancel.CancelAsync();

        // No crossing is published on this node, so the feed's poll would only come back after its
        // wait, and a server loop that missed the cancellation would then end as if completed. Only
        // a server that observed it ends the call as cancelled (the exception mapping's status,
        // which ASP.NET Core's gRPC logs).
        await Polling.Until(() => silo.FullOutput.Contains("the call was cancelled", StringComparison.Ordinal), Polling.DefaultTimeout, () => silo.Output);
    }
}
