using System.Text.Json.Nodes;

namespace ProductOps.Bench;

/// <summary>What one ingest load step achieved.</summary>
internal sealed record LoadResult(
    string Mode, double? OfferedEventsPerSec, long EventsAcked, long Rejected, double Seconds,
    LatencySummary? Ack, JsonObject Cpu, GcPauseSummary? Gc, string? Error)
{
    public double EventsPerSec => Seconds > 0 ? EventsAcked / Seconds : 0;

    public JsonObject ToJson() => new()
    {
        ["mode"] = Mode,
        ["offered_events_per_sec"] = OfferedEventsPerSec is { } offered ? Math.Round(offered) : null,
        ["acked_events_per_sec"] = Math.Round(EventsPerSec),
        ["events_acked"] = EventsAcked,
        ["events_rejected"] = Rejected,
        ["seconds"] = Math.Round(Seconds, 2),
        ["ack_latency"] = Ack?.ToJson(),
        ["cpu"] = Cpu.DeepClone(),
        ["gc"] = Gc?.ToJson(),
        ["error"] = Error,
    };
}
