using Microsoft.Extensions.Options;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Ingest;

/// <summary>Bounds the events a gateway holds in flight; past the bound, requests get
/// ResourceExhausted instead of queueing without end.</summary>
public sealed class IngestAdmission(IOptions<GatewayOptions> options)
{
    private long _inFlight;

    public long InFlight => Interlocked.Read(ref _inFlight);

    public Lease Enter(int events)
    {
        var now = Interlocked.Add(ref _inFlight, events);
        if (now > options.Value.MaxInFlightEvents && now != events)
        {
            Interlocked.Add(ref _inFlight, -events);
            throw new OverloadedException(
                $"the gateway holds {options.Value.MaxInFlightEvents} events in flight; retry this batch after a short backoff");
        }

        return new Lease(this, events);
    }

    /// <summary>Returns the admitted events to the budget when disposed.</summary>
    public readonly struct Lease(IngestAdmission owner, int events) : IDisposable
    {
        public void Dispose() => Interlocked.Add(ref owner._inFlight, -events);
    }
}
