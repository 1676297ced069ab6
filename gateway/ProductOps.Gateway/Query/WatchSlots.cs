using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Query;

/// <summary>
/// Bounds the WatchAtRisk calls each tenant holds open on this gateway
/// (<see cref="GatewayOptions.MaxWatchesPerTenant"/>). A watch never ends by itself, and each one
/// long-polls its tenant's feed grain all along: without a bound, one tenant opening watches on
/// ever more connections would take this gateway's and the cluster's time from every tenant.
/// </summary>
public sealed class WatchSlots(IOptions<GatewayOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>A slot for one watch of <paramref name="tenant"/>, given back when disposed.</summary>
    /// <exception cref="OverloadedException">The tenant holds every slot it may.</exception>
    public Slot Enter(string tenant)
    {
        var max = options.Value.MaxWatchesPerTenant;
        if (_open.AddOrUpdate(tenant, 1, static (_, open) => open + 1) > max)
        {
            Leave(tenant);
            throw new OverloadedException(
                $"the tenant has {max} WatchAtRisk calls open on this gateway, the most it may (ProductOps:Gateway:MaxWatchesPerTenant); end one first");
        }

        return new Slot(this, tenant);
    }

    private void Leave(string tenant) => _open.AddOrUpdate(tenant, 0, static (_, open) => open - 1);

    /// <summary>One open watch's slot.</summary>
    public readonly struct Slot(WatchSlots owner, string tenant) : IDisposable
    {
        public void Dispose() => owner.Leave(tenant);
    }
}
