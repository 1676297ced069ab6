using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Ingest;

/// <summary>Bounds the events a gateway holds in flight, by count and by their requests' bytes
/// (large events would pass a count alone: 200,000 of 32 KiB are 6 GiB); past either bound,
/// requests get ResourceExhausted instead of queueing without end. Each tenant may hold at most
/// its share of both (<see cref="GatewayOptions.MaxInFlightSharePerTenant"/>), so one product
/// streaming flat out cannot refuse every other product's batches. A request with nothing else
/// in flight, in all or of its tenant, passes that bound, so no valid request is refused for good.</summary>
public sealed class IngestAdmission
{
    private readonly Budget _all = new();
    private readonly ConcurrentDictionary<string, Budget> _tenants = new(StringComparer.Ordinal);
    private readonly IOptions<GatewayOptions> _options;
    private readonly IngestMetrics _metrics;

    public IngestAdmission(IOptions<GatewayOptions> options, IngestMetrics metrics)
    {
        _options = options;
        _metrics = metrics;
        metrics.ObserveInFlight(() => InFlight);
    }

    public long InFlight => _all.Events;

    public long InFlightBytes => _all.Bytes;

    /// <summary>What <paramref name="tenant"/> holds in flight: events and bytes.</summary>
    public (long Events, long Bytes) InFlightOf(string tenant) =>
        _tenants.TryGetValue(tenant, out var budget) ? (budget.Events, budget.Bytes) : (0, 0);

    /// <param name="tenant">The caller's tenant.</param>
    /// <param name="events">The request's events to hold.</param>
    /// <param name="bytes">The request's size as received.</param>
    public Lease Enter(string tenant, int events, long bytes)
    {
        var limits = _options.Value;
        if (_all.Take(events, bytes, limits.MaxInFlightEvents, limits.MaxInFlightBytes) is { } overAll)
        {
            _metrics.Refused("gateway");
            throw Refusal("the gateway", overAll, limits.MaxInFlightEvents, limits.MaxInFlightBytes, string.Empty);
        }

        var tenantBudget = _tenants.GetOrAdd(tenant, static _ => new Budget());
        var share = limits.MaxInFlightSharePerTenant;
        var maxEvents = (long)Math.Ceiling(limits.MaxInFlightEvents * share);
        var maxBytes = (long)Math.Ceiling(limits.MaxInFlightBytes * share);
        if (tenantBudget.Take(events, bytes, maxEvents, maxBytes) is { } overShare)
        {
            _all.Give(events, bytes);
            _metrics.Refused("tenant");
            throw Refusal("the tenant", overShare, maxEvents, maxBytes,
                $" on this gateway, its share ({GatewayOptions.Section}:{nameof(GatewayOptions.MaxInFlightSharePerTenant)})");
        }

        return new Lease(_all, tenantBudget, events, bytes);
    }

    private static OverloadedException Refusal(string holder, Bound bound, long maxEvents, long maxBytes, string where) =>
        new($"{holder} holds {(bound == Bound.Events ? $"{maxEvents} events" : $"{maxBytes} bytes of requests")} in flight{where}; retry this batch after a short backoff");

    internal enum Bound
    {
        Events,
        Bytes,
    }

    /// <summary>Events and bytes held against one pair of bounds.</summary>
    internal sealed class Budget
    {
        private long _events;
        private long _bytes;

        public long Events => Interlocked.Read(ref _events);

        public long Bytes => Interlocked.Read(ref _bytes);

        /// <summary>Holds the request unless that takes the budget past a bound with something else
        /// already held; then holds nothing and names the bound.</summary>
        public Bound? Take(int events, long bytes, long maxEvents, long maxBytes)
        {
            var nowEvents = Interlocked.Add(ref _events, events);
            var nowBytes = Interlocked.Add(ref _bytes, bytes);
            if (nowEvents == events || (nowEvents <= maxEvents && nowBytes <= maxBytes))
            {
                return null;
            }

            Give(events, bytes);
            return nowEvents > maxEvents ? Bound.Events : Bound.Bytes;
        }

        public void Give(int events, long bytes)
        {
            Interlocked.Add(ref _events, -events);
            Interlocked.Add(ref _bytes, -bytes);
        }
    }

    /// <summary>Returns the admitted events and bytes to both budgets when disposed.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly Budget _all;
        private readonly Budget _tenant;
        private readonly int _events;
        private readonly long _bytes;

        internal Lease(Budget all, Budget tenant, int events, long bytes) =>
            (_all, _tenant, _events, _bytes) = (all, tenant, events, bytes);

        public void Dispose()
        {
            _tenant.Give(_events, _bytes);
            _all.Give(_events, _bytes);
        }
    }
}
