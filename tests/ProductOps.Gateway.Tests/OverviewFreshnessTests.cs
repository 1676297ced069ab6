using ProductOps.Contracts.V1;
using ProductOps.Testing;
using static ProductOps.Gateway.Tests.EventFactory;

namespace ProductOps.Gateway.Tests;

/// <summary>An overview that says "caught up" holds every event acknowledged before it was asked.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class OverviewFreshnessTests(SiloFixture node)
{
    [Fact]
    public async Task GetOverview_RightAfterAnAck_IsNotCaughtUpWithoutTheEvent()
    {
        var before = await node.SettledOverviewAsync();
        var prefix = Prefix("fresh");
        for (var round = 0; round < 5; round++)
        {
            // A dashboard's poll a moment before the batch: the node reads every partition's status now.
            var polled = await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
            var request = new TrackRequest { BatchId = $"{prefix}-b{round}" };
            request.Events.Add(Event($"{prefix}-u{round}", $"{prefix}-e{round}", "page_view", DateTimeOffset.UtcNow));
            var response = await node.Ingest.TrackAsync(request, DemoTenant.Ingest);
            Assert.Equal(1, response.Accepted);

            var after = await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);

            // Caught up means the acknowledged event is in the aggregates.
            Assert.True(
                !after.Freshness.CaughtUp || after.TotalEvents == before.TotalEvents + round + 1,
                $"round {round}: caught up ({after.Freshness}) but total_events {after.TotalEvents}, expected {before.TotalEvents + round + 1} (the poll before the ack read {polled.TotalEvents})");
            await Polling.Eventually(async () =>
            {
                var settled = await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
                Assert.Equal(before.TotalEvents + round + 1, settled.TotalEvents);
            }, Polling.DefaultTimeout, () => node.Silo.Output);
        }
    }
}
