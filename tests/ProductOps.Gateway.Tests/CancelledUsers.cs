using ProductOps.Contracts.V1;
using ProductOps.Testing;
using static ProductOps.Gateway.Tests.EventFactory;

namespace ProductOps.Gateway.Tests;

/// <summary>Users who only cancelled: each is exported (with cancelled_at) without any model, so a
/// node gets a large export in seconds.</summary>
public static class CancelledUsers
{
    /// <summary>Tracks <paramref name="count"/> such users to the demo tenant and waits until the
    /// churn index lists them all.</summary>
    public static async Task CreateAsync(SiloProcess node, int count)
    {
        ArgumentNullException.ThrowIfNull(node);
        var prefix = Prefix("cancelled");
        var events = Enumerable.Range(0, count)
            .Select(i => Event($"{prefix}-u{i:D6}", $"{prefix}-e{i}", "subscription_cancelled", DateTimeOffset.UtcNow.AddMinutes(-1)));
        foreach (var batch in Batches(events, 1000, prefix))
        {
            Assert.Equal(batch.Events.Count, (await node.Ingest.TrackAsync(batch, DemoTenant.Ingest)).Accepted);
        }

        await Polling.Eventually(async () =>
            Assert.Equal(count, (await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read)).Churn.CancelledUsers),
            TimeSpan.FromSeconds(60), () => node.Output);
    }
}
