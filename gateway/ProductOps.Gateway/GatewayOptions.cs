namespace ProductOps.Gateway;

/// <summary>Gateway behaviour (configuration section "ProductOps:Gateway").</summary>
public sealed class GatewayOptions
{
    public const string Section = "ProductOps:Gateway";

    /// <summary>Most events in flight across all calls before new batches get ResourceExhausted.</summary>
    public int MaxInFlightEvents { get; set; } = 200_000;

    /// <summary>Most bytes of requests in flight across all calls before new batches get
    /// ResourceExhausted: what bounds the gateway's memory when events are large (each byte
    /// received is held as two to three in memory until its batch is answered).</summary>
    public long MaxInFlightBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Most batches of one TrackStream processed at once; further requests wait unread
    /// (HTTP/2 flow control pushes back on the client).</summary>
    public int MaxInFlightBatchesPerStream { get; set; } = 64;

    /// <summary>The share of <see cref="MaxInFlightEvents"/> and <see cref="MaxInFlightBytes"/> one
    /// tenant may hold: what is left stays open to the other tenants (1: no share is kept).</summary>
    public double MaxInFlightSharePerTenant { get; set; } = 0.5;

    /// <summary>Most TrackStream calls one tenant may hold open on this gateway; more get
    /// ResourceExhausted before anything is read. Each holds a reader, a window of up to
    /// <see cref="MaxInFlightBatchesPerStream"/> batches and HTTP/2 buffers while it is open. The
    /// default is high because the usual shape is one long-lived stream per app server or worker
    /// of the product, and a product may run hundreds of them behind one gateway; what the bound
    /// stops is a client that opens streams without ending them.</summary>
    public int MaxTrackStreamsPerTenant { get; set; } = 1_000;

    /// <summary>Most WatchAtRisk calls one tenant may hold open on this gateway; more get
    /// ResourceExhausted. A watch never ends by itself and polls its tenant's feed all along.</summary>
    public int MaxWatchesPerTenant { get; set; } = 100;

    /// <summary>Most WatchOverview and WatchFeature calls one tenant may hold open on this gateway;
    /// more get ResourceExhausted. Each reads its view every interval.</summary>
    public int MaxViewWatchesPerTenant { get; set; } = 100;

    /// <summary>Most ExportPredictions calls one tenant may hold open on this gateway; more get
    /// ResourceExhausted. An export holds a page of predictions until its caller reads it.</summary>
    public int MaxExportsPerTenant { get; set; } = 8;

    /// <summary>How often ingestion counters are added to the tenants' totals.</summary>
    public TimeSpan CounterFlushInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}
