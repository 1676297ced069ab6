using Microsoft.Extensions.Options;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Tests;

/// <summary>The streaming calls a tenant may hold open on a gateway, per kind. (The watch's bound
/// is also checked end to end on a node, in <see cref="WatchAtRiskLimitTests"/>, and the
/// TrackStreams' in <see cref="TrackStreamLimitTests"/>.)</summary>
public sealed class StreamSlotsTests
{
    private static StreamSlots Slots() =>
        new(Options.Create(new GatewayOptions { MaxWatchesPerTenant = 1, MaxExportsPerTenant = 2, MaxTrackStreamsPerTenant = 2 }));

    [Fact]
    public void EnterExport_TenantAtItsLimit_RefusedNamingTheSettingWhileOthersAndWatchesStillEnter()
    {
        var slots = Slots();
        using var first = slots.EnterExport("acme");
        using var second = slots.EnterExport("acme");

        var refused = Assert.Throws<OverloadedException>(() => slots.EnterExport("acme"));
        using var others = slots.EnterExport("globex");
        using var watch = slots.EnterWatch("acme");

        Assert.Contains("2 ExportPredictions calls open on this gateway", refused.Message, StringComparison.Ordinal);
        Assert.Contains("ProductOps:Gateway:MaxExportsPerTenant", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, slots.ExportsOf("acme")); // the refused call holds no slot
    }

    [Fact]
    public void EnterExport_AfterOneEnds_RoomAgain()
    {
        var slots = Slots();
        var first = slots.EnterExport("acme");
        using var second = slots.EnterExport("acme");
        Assert.Throws<OverloadedException>(() => slots.EnterExport("acme"));

        first.Dispose();

        using var third = slots.EnterExport("acme");
        Assert.Equal(2, slots.ExportsOf("acme"));
    }

    [Fact]
    public void EnterTrackStream_TenantAtItsLimit_RefusedNamingTheSettingApartFromItsQueryStreams()
    {
        var slots = Slots();
        using var first = slots.EnterTrackStream("acme");
        using var second = slots.EnterTrackStream("acme");

        var refused = Assert.Throws<OverloadedException>(() => slots.EnterTrackStream("acme"));
        using var others = slots.EnterTrackStream("globex");
        using var export = slots.EnterExport("acme");
        using var watch = slots.EnterWatch("acme");

        Assert.Contains("2 TrackStream calls open on this gateway", refused.Message, StringComparison.Ordinal);
        Assert.Contains("ProductOps:Gateway:MaxTrackStreamsPerTenant", refused.Message, StringComparison.Ordinal);
    }
}
