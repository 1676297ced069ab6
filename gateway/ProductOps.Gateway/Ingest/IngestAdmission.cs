using Microsoft.Extensions.Options;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Ingest;

/// <summary>Bounds the events a gateway holds in flight, by count and by their requests' bytes
/// (large events would pass a count alone: 200,000 of 32 KiB are 6 GiB); past either bound,
/// requests get ResourceExhausted instead of queueing without end. A request with nothing else in
/// flight is always admitted, so no valid request is refused for good.</summary>
public sealed class IngestAdmission(IOptions<GatewayOptions> options)
{
    private long _inFlight;
    private long _inFlightBytes;

    public long InFlight => Interlocked.Read(ref _inFlight);

    public long InFlightBytes => Interlocked.Read(ref _inFlightBytes);

    /// <param name="events">The request's events to hold.</param>
    /// <param name="bytes">The request's size as received.</param>
    public Lease Enter(int events, long bytes)
    {
        var limits = options.Value;
        var nowEvents = Interlocked.Add(ref _inFlight, events);
        var nowBytes = Interlocked.Add(ref _inFlightBytes, bytes);
        var alone = nowEvents == events;
        if (!alone && (nowEvents > limits.MaxInFlightEvents || nowBytes > limits.MaxInFlightBytes))
        {
            Leave(events, bytes);
            throw new OverloadedException(nowEvents > limits.MaxInFlightEvents
                ? $"the gateway holds {limits.MaxInFlightEvents} events in flight; retry this batch after a short backoff"
                : $"the gateway holds {limits.MaxInFlightBytes} bytes of requests in flight; retry this batch after a short backoff");
        }

        return new Lease(this, events, bytes);
    }

    private void Leave(int events, long bytes)
    {
        Interlocked.Add(ref _inFlight, -events);
        Interlocked.Add(ref _inFlightBytes, -bytes);
    }

    /// <summary>Returns the admitted events and bytes to the budget when disposed.</summary>
    public readonly struct Lease(IngestAdmission owner, int events, long bytes) : IDisposable
    {
        public void Dispose() => owner.Leave(events, bytes);
    }
}
