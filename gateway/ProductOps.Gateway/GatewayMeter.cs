namespace ProductOps.Gateway;

/// <summary>The meter a gateway's own metrics are recorded on: its ingest path's
/// (<see cref="Ingest.IngestMetrics"/>) and its streaming calls' refusals (<see cref="StreamSlots"/>).</summary>
public static class GatewayMeter
{
    public const string Name = "ProductOps.Gateway";
}
