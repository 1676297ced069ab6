using ProductOps.Contracts.V1;
using static ProductOps.Gateway.Tests.EventFactory;
using static ProductOps.Testing.Polling;

namespace ProductOps.Gateway.Tests;

/// <summary>A tenant's distinct features are limited (ProductOps:Limits:MaxFeaturesPerTenant):
/// events that would add one past the limit are rejected on their feature, the rest proceed,
/// and the limit holds across a restart.</summary>
public sealed class FeatureLimitTests
{
    private static readonly Dictionary<string, string> LimitOfThree = new() { ["ProductOps:Limits:MaxFeaturesPerTenant"] = "3" };

    [Fact]
    public async Task Track_NewFeaturesPastTheLimit_RejectedOnFeatureOthersAccepted()
    {
        using var data = new TempDirectory();
        var now = DateTimeOffset.UtcNow;
        TrackRequest first;
        await using (var silo = await SiloProcess.StartAsync(data.Path, settings: LimitOfThree))
        {
            first = new TrackRequest
            {
                Events =
                {
                    Event("u1", "e0", "feature_used", now, feature: "search"),
                    Event("u1", "e1", "feature_used", now, feature: "export"),
                    Event("u2", "e2", "login", now), // no feature: never limited
                    Event("u2", "e3", "feature_used", now, feature: "share"),
                    Event("u2", "e4", "feature_used", now, feature: "page-/users/91832"), // the fourth
                    Event("u3", "e5", "feature_used", now, feature: "search"), // known: still fine
                    Event("u3", "e6", "feature_used", now, feature: "page-/users/11"),
                },
            };

            var response = await silo.Ingest.TrackAsync(first, DemoTenant.Ingest);

            Assert.Equal(5, response.Accepted);
            Assert.Equal([4, 6], response.Rejected.Select(r => r.Index));
            Assert.All(response.Rejected, r => Assert.Equal("feature", r.Field));
            Assert.Contains("the tenant has its 3 already (ProductOps:Limits:MaxFeaturesPerTenant)", response.Rejected[0].Reason, StringComparison.Ordinal);
            await Eventually(async () =>
            {
                var features = await silo.Query.ListFeaturesAsync(new ListFeaturesRequest(), DemoTenant.Read);
                Assert.Equal(["export", "search", "share"], features.Features.Select(f => f.Feature).Order(StringComparer.Ordinal));
                var user = await silo.Query.GetUserAsync(new GetUserRequest { UserId = "u3" }, DemoTenant.Read);
                Assert.Equal(1, user.EventCount); // the refused event left nothing behind
            }, DefaultTimeout, () => silo.Output);
            Assert.Equal(0, await silo.StopAsync());
        }

        await using var restarted = await SiloProcess.StartAsync(data.Path, settings: LimitOfThree);
        var second = new TrackRequest
        {
            Events =
            {
                Event("u4", "e7", "feature_used", now, feature: "share"),
                Event("u4", "e8", "feature_used", now, feature: "settings"),
            },
        };

        var afterRestart = await restarted.Ingest.TrackAsync(second, DemoTenant.Ingest);

        Assert.Equal(1, afterRestart.Accepted);
        Assert.Equal(1, Assert.Single(afterRestart.Rejected).Index);
    }
}
