using System.Diagnostics.Metrics;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Ingest;

/// <summary>
/// What a gateway's ingest path reports to metrics (the <see cref="GatewayMeter"/>): events by
/// outcome, batches refused for load, and how long a batch takes from its request to its answer
/// (for accepted events: until they are durable). Recorded per batch, never per event. No tenant
/// appears in them: a metrics endpoint is the operator's, and its labels stay few.
/// </summary>
public sealed class IngestMetrics
{
    private static readonly KeyValuePair<string, object?> Accepted = new("outcome", "accepted");
    private static readonly KeyValuePair<string, object?> Duplicate = new("outcome", "duplicate");
    private static readonly KeyValuePair<string, object?> Rejected = new("outcome", "rejected");
    private static readonly KeyValuePair<string, object?> FailedOutcome = new("outcome", "failed");

    private readonly Meter _meter;
    private readonly Counter<long> _events;
    private readonly Counter<long> _refused;
    private readonly Histogram<double> _batchSeconds;

    public IngestMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(GatewayMeter.Name);
        _events = _meter.CreateCounter<long>("productops.ingest.events", "{event}", "Events received, by outcome: accepted (new, now durable), duplicate (already in the log), rejected (invalid), failed (valid, but the call ended with an error: not acknowledged)");
        _refused = _meter.CreateCounter<long>("productops.ingest.refused", "{batch}", "Batches refused ResourceExhausted because the gateway, or the caller's tenant, holds its in-flight bound");
        _batchSeconds = _meter.CreateHistogram(
            "productops.ingest.batch.duration",
            "s",
            "Time from a Track, TrackStream batch or Identify request to its answer",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Seconds });
    }

    public void Answered(int accepted, int duplicates, int rejected, TimeSpan took)
    {
        Add(accepted, Accepted);
        Add(duplicates, Duplicate);
        Add(rejected, Rejected);
        _batchSeconds.Record(took.TotalSeconds);
    }

    /// <summary>A request's valid events, none acknowledged: the call ended with an error (the
    /// cluster unreachable, a commit failed) after they were validated.</summary>
    public void Unacknowledged(int events, TimeSpan took)
    {
        Add(events, FailedOutcome);
        _batchSeconds.Record(took.TotalSeconds);
    }

    /// <summary>Reports what the gateway holds in flight (its admission's count) when metrics are read.</summary>
    public void ObserveInFlight(Func<long> events) =>
        _meter.CreateObservableGauge("productops.ingest.in_flight", events, "{event}", "Events this gateway holds in flight (received, not yet answered), against ProductOps:Gateway:MaxInFlightEvents");

    /// <param name="bound">Whose bound refused it: "gateway" or "tenant".</param>
    public void Refused(string bound) => _refused.Add(1, new KeyValuePair<string, object?>("bound", bound));

    private void Add(int events, KeyValuePair<string, object?> outcome)
    {
        if (events > 0)
        {
            _events.Add(events, outcome);
        }
    }
}
