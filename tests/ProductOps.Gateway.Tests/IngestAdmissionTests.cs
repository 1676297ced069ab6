using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ProductOps.Gateway.Errors;
using ProductOps.Gateway.Ingest;

namespace ProductOps.Gateway.Tests;

/// <summary>The gateway's bound on what it holds in flight: by events and by requests' bytes, in
/// all and for each tenant.</summary>
public sealed class IngestAdmissionTests
{
    private const string Tenant = "acme";
    private const string Other = "globex";

    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    private static IngestAdmission Admission(int events = 1_000, long bytes = 1_000_000, double share = 0.5) =>
        new(Options.Create(new GatewayOptions { MaxInFlightEvents = events, MaxInFlightBytes = bytes, MaxInFlightSharePerTenant = share }), new IngestMetrics(Meters));

    [Fact]
    public void Enter_LargeEventsPastTheByteBudget_RefusedThoughFewEvents()
    {
        var admission = Admission();
        using var first = admission.Enter(Tenant, 10, 600_000);

        var refused = Assert.Throws<OverloadedException>(() => admission.Enter(Tenant, 10, 600_000));

        Assert.Contains("1000000 bytes of requests in flight", refused.Message, StringComparison.Ordinal);
        Assert.Equal((10, 600_000), (admission.InFlight, admission.InFlightBytes)); // the refused request left nothing behind
    }

    [Fact]
    public void Enter_PastTheEventBudget_RefusedNamingEvents()
    {
        var admission = Admission();
        using var first = admission.Enter(Tenant, 800, 1_000);

        var refused = Assert.Throws<OverloadedException>(() => admission.Enter(Tenant, 300, 1_000));

        Assert.Contains("1000 events in flight", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Enter_ARequestLargerThanTheBudgetsWithNothingElseInFlight_Admitted()
    {
        var admission = Admission();

        using (admission.Enter(Tenant, 5_000, 5_000_000))
        {
            Assert.Equal((5_000, 5_000_000), (admission.InFlight, admission.InFlightBytes));
        }

        Assert.Equal((0, 0), (admission.InFlight, admission.InFlightBytes)); // the lease gave both back
    }

    [Fact]
    public void Enter_AfterALeaseEnds_RoomAgain()
    {
        var admission = Admission();
        var first = admission.Enter(Tenant, 10, 900_000);
        Assert.Throws<OverloadedException>(() => admission.Enter(Tenant, 10, 200_000));

        first.Dispose();

        using var second = admission.Enter(Tenant, 10, 200_000);
        Assert.Equal(200_000, admission.InFlightBytes);
    }

    [Fact]
    public void Enter_ATenantPastItsShare_RefusedWhileAnotherTenantIsAdmitted()
    {
        var admission = Admission(); // a tenant may hold 500 events and 500,000 bytes
        using var first = admission.Enter(Tenant, 400, 1_000);

        var refused = Assert.Throws<OverloadedException>(() => admission.Enter(Tenant, 200, 1_000));
        using var other = admission.Enter(Other, 500, 1_000);

        Assert.Contains("the tenant holds 500 events in flight on this gateway, its share (ProductOps:Gateway:MaxInFlightSharePerTenant)", refused.Message, StringComparison.Ordinal);
        Assert.Equal((400, 1_000), admission.InFlightOf(Tenant)); // the refused request left nothing behind
        Assert.Equal((900, 2_000), (admission.InFlight, admission.InFlightBytes));
    }

    [Fact]
    public void Enter_ATenantPastItsShareOfBytes_RefusedNamingBytes()
    {
        var admission = Admission();
        using var first = admission.Enter(Tenant, 10, 300_000);

        var refused = Assert.Throws<OverloadedException>(() => admission.Enter(Tenant, 10, 300_000));

        Assert.Contains("the tenant holds 500000 bytes of requests in flight", refused.Message, StringComparison.Ordinal);
        Assert.Equal((10, 300_000), (admission.InFlight, admission.InFlightBytes));
    }

    [Fact]
    public void Enter_ARequestOverTheShareWithNothingElseOfItsTenant_Admitted()
    {
        var admission = Admission();
        using var other = admission.Enter(Other, 100, 1_000);

        using (admission.Enter(Tenant, 800, 1_000))
        {
            Assert.Equal((800, 1_000), admission.InFlightOf(Tenant));
        }

        Assert.Equal((0, 0), admission.InFlightOf(Tenant)); // the lease gave the tenant's share back too
    }

    [Fact]
    public void Enter_AShareOfOne_LetsOneTenantTakeTheWholeBudget()
    {
        var admission = Admission(share: 1);
        using var first = admission.Enter(Tenant, 600, 1_000);
        using var second = admission.Enter(Tenant, 400, 1_000);

        Assert.Throws<OverloadedException>(() => admission.Enter(Other, 1, 1));
    }
}
