namespace ProductOps.Domain.Tests;

/// <summary>A feature's adoption row against its tenant's active users.</summary>
public sealed class FeatureTotalsTests
{
    [Fact]
    public void Against_FeatureUsersOverTheTenants_RatesPerWindow()
    {
        var summary = Totals(new ActiveUsers(2, 5, 6)).Against(new ActiveUsers(4, 10, 24));

        Assert.Equal((0.5, 0.5, 0.25), (summary.Adoption1, summary.Adoption7, summary.Adoption30));
    }

    /// <summary>Read a dispatch ahead of its tenant, a feature can count more users than the
    /// tenant does yet; the rate says all of them, not more.</summary>
    [Fact]
    public void Against_FeatureAheadOfItsTenant_AtMostOne()
    {
        var summary = Totals(new ActiveUsers(5, 9, 12)).Against(new ActiveUsers(4, 10, 12));

        Assert.Equal((1.0, 0.9, 1.0), (summary.Adoption1, summary.Adoption7, summary.Adoption30));
    }

    [Fact]
    public void Against_TenantWithoutActiveUsers_Zero()
    {
        var summary = Totals(new ActiveUsers(0, 0, 3)).Against(new ActiveUsers(0, 0, 0));

        Assert.Equal((0.0, 0.0, 0.0), (summary.Adoption1, summary.Adoption7, summary.Adoption30));
    }

    private static FeatureTotals Totals(ActiveUsers users) => new("search", AdoptersAllTime: 12, EventsAllTime: 40, users, FeedbackCount: 0, FeedbackSum: 0);
}
