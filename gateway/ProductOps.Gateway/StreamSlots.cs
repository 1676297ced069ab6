using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway;

/// <summary>
/// Bounds the streaming calls each tenant holds open on this gateway, per kind, ingest and query
/// alike. A watch (<see cref="GatewayOptions.MaxWatchesPerTenant"/>, <see cref="GatewayOptions.MaxViewWatchesPerTenant"/>)
/// never ends by itself and asks the tenant's grains all along; an export (<see cref="GatewayOptions.MaxExportsPerTenant"/>)
/// holds a page of predictions for as long as its caller takes to read it; a TrackStream
/// (<see cref="GatewayOptions.MaxTrackStreamsPerTenant"/>) holds its reader, its window of batches
/// and their buffers for as long as its caller keeps it open. Without a bound, one tenant opening
/// ever more of them would take this gateway's memory and the cluster's time from every tenant.
/// Each refusal is counted by kind (<c>productops.streams.refused</c>), no tenant in it.
/// </summary>
public sealed class StreamSlots(IOptions<GatewayOptions> options, IMeterFactory meters)
{
    private const string ExportCalls = "ExportPredictions calls";

    private readonly ConcurrentDictionary<(string Tenant, string Call), int> _open = new();

    private static readonly KeyValuePair<string, object?> WatchKind = new("kind", "watch_at_risk");
    private static readonly KeyValuePair<string, object?> ViewWatchKind = new("kind", "view_watch");
    private static readonly KeyValuePair<string, object?> ExportKind = new("kind", "export");
    private static readonly KeyValuePair<string, object?> TrackStreamKind = new("kind", "track_stream");

    private readonly Counter<long> _refused = meters.Create(GatewayMeter.Name).CreateCounter<long>(
        "productops.streams.refused", "{call}", "Streaming calls refused ResourceExhausted because the caller's tenant holds as many of that kind open on the gateway as it may, by kind");

    /// <summary>A slot for one WatchAtRisk call of <paramref name="tenant"/>, given back when disposed.</summary>
    /// <exception cref="OverloadedException">The tenant holds every slot it may.</exception>
    public Slot EnterWatch(string tenant) =>
        Enter(tenant, "WatchAtRisk calls", options.Value.MaxWatchesPerTenant, nameof(GatewayOptions.MaxWatchesPerTenant), WatchKind);

    /// <summary>A slot for one view watch (WatchOverview, WatchFeature) of <paramref name="tenant"/>,
    /// given back when disposed. Their own bound: dashboards left open must not take the at-risk
    /// watches' room, whose alerts are not replayed.</summary>
    /// <exception cref="OverloadedException">The tenant holds every slot it may.</exception>
    public Slot EnterViewWatch(string tenant) =>
        Enter(tenant, "view watches (WatchOverview, WatchFeature)", options.Value.MaxViewWatchesPerTenant, nameof(GatewayOptions.MaxViewWatchesPerTenant), ViewWatchKind);

    /// <summary>A slot for one ExportPredictions call of <paramref name="tenant"/>, given back when disposed.</summary>
    /// <exception cref="OverloadedException">The tenant holds every slot it may.</exception>
    public Slot EnterExport(string tenant) =>
        Enter(tenant, ExportCalls, options.Value.MaxExportsPerTenant, nameof(GatewayOptions.MaxExportsPerTenant), ExportKind);

    /// <summary>A slot for one TrackStream call of <paramref name="tenant"/>, given back when disposed.
    /// Each stream's in-flight batches are bounded already; this bounds how many streams.</summary>
    /// <exception cref="OverloadedException">The tenant holds every slot it may.</exception>
    public Slot EnterTrackStream(string tenant) =>
        Enter(tenant, "TrackStream calls", options.Value.MaxTrackStreamsPerTenant, nameof(GatewayOptions.MaxTrackStreamsPerTenant), TrackStreamKind);

    /// <summary>How many exports <paramref name="tenant"/> holds open.</summary>
    public int ExportsOf(string tenant) => _open.TryGetValue((tenant, ExportCalls), out var open) ? open : 0;

    /// <param name="tenant">The caller's tenant.</param>
    /// <param name="call">The calls' kind, as the refusal names them.</param>
    /// <param name="max">How many of them the tenant may hold open.</param>
    /// <param name="setting">The setting that says so.</param>
    /// <param name="kind">The calls' kind in the refusals' metric.</param>
    private Slot Enter(string tenant, string call, int max, string setting, KeyValuePair<string, object?> kind)
    {
        var key = (tenant, call);
        if (_open.AddOrUpdate(key, 1, static (_, open) => open + 1) > max)
        {
            Leave(key);
            _refused.Add(1, kind);
            throw new OverloadedException(
                $"the tenant has {max} {call} open on this gateway, the most it may ({GatewayOptions.Section}:{setting}); end one first");
        }

        return new Slot(this, key);
    }

    private void Leave((string Tenant, string Call) key) => _open.AddOrUpdate(key, 0, static (_, open) => open - 1);

    /// <summary>One open call's slot.</summary>
    public readonly struct Slot : IDisposable
    {
        private readonly StreamSlots _owner;
        private readonly (string Tenant, string Call) _key;

        internal Slot(StreamSlots owner, (string Tenant, string Call) key) => (_owner, _key) = (owner, key);

        public void Dispose() => _owner.Leave(_key);
    }
}
