using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Tests;

/// <summary>The streaming calls a tenant may hold open on a gateway, per kind. (The watch's bound
/// is also checked end to end on a node, in <see cref="WatchAtRiskLimitTests"/>, and the
/// TrackStreams' in <see cref="TrackStreamLimitTests"/>.)</summary>
public sealed class StreamSlotsTests
{
    private static readonly IMeterFactory SharedMeters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    private static StreamSlots Slots(IMeterFactory? meters = null) =>
        new(Options.Create(new GatewayOptions { MaxWatchesPerTenant = 1, MaxExportsPerTenant = 2, MaxTrackStreamsPerTenant = 2 }), meters ?? SharedMeters);

    [Fact]
    public void Enter_Refused_CountedByKindWithoutTheTenant()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var refusals = new List<(long Count, string Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, listening) =>
            {
                if (ReferenceEquals(instrument.Meter, meters.Create(GatewayMeter.Name)) && instrument.Name == "productops.streams.refused")
                {
                    listening.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            refusals.Add((value, string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}")))));
        listener.Start();
        var slots = Slots(meters);
        using var watch = slots.EnterWatch("acme");
        using var first = slots.EnterTrackStream("acme");
        using var second = slots.EnterTrackStream("acme");

        Assert.Throws<OverloadedException>(() => slots.EnterTrackStream("acme"));
        Assert.Throws<OverloadedException>(() => slots.EnterTrackStream("acme"));
        Assert.Throws<OverloadedException>(() => slots.EnterWatch("acme"));

        Assert.Equal([(1, "kind=track_stream"), (1, "kind=track_stream"), (1, "kind=watch_at_risk")], refusals);
    }

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
