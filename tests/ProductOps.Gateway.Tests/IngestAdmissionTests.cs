using Microsoft.Extensions.Options;
using ProductOps.Gateway.Errors;
using ProductOps.Gateway.Ingest;

namespace ProductOps.Gateway.Tests;

/// <summary>The gateway's bound on what it holds in flight: by events and by requests' bytes.</summary>
public sealed class IngestAdmissionTests
{
    private static IngestAdmission Admission(int events = 1_000, long bytes = 1_000_000) =>
        new(Options.Create(new GatewayOptions { MaxInFlightEvents = events, MaxInFlightBytes = bytes }));

    [Fact]
    public void Enter_LargeEventsPastTheByteBudget_RefusedThoughFewEvents()
    {
        var admission = Admission();
        using var first = admission.Enter(10, 600_000);

        var refused = Assert.Throws<OverloadedException>(() => admission.Enter(10, 600_000));

        Assert.Contains("1000000 bytes of requests in flight", refused.Message, StringComparison.Ordinal);
        Assert.Equal((10, 600_000), (admission.InFlight, admission.InFlightBytes)); // the refused request left nothing behind
    }

    [Fact]
    public void Enter_PastTheEventBudget_RefusedNamingEvents()
    {
        var admission = Admission();
        using var first = admission.Enter(800, 1_000);

        var refused = Assert.Throws<OverloadedException>(() => admission.Enter(300, 1_000));

        Assert.Contains("1000 events in flight", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Enter_ARequestLargerThanTheBudgetsWithNothingElseInFlight_Admitted()
    {
        var admission = Admission();

        using (admission.Enter(5_000, 5_000_000))
        {
            Assert.Equal((5_000, 5_000_000), (admission.InFlight, admission.InFlightBytes));
        }

        Assert.Equal((0, 0), (admission.InFlight, admission.InFlightBytes)); // the lease gave both back
    }

    [Fact]
    public void Enter_AfterALeaseEnds_RoomAgain()
    {
        var admission = Admission();
        var first = admission.Enter(10, 900_000);
        Assert.Throws<OverloadedException>(() => admission.Enter(10, 200_000));

        first.Dispose();

        using var second = admission.Enter(10, 200_000);
        Assert.Equal(200_000, admission.InFlightBytes);
    }
}
