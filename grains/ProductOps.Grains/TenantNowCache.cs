using System.Collections.Concurrent;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Grains.Abstractions.Tenancy;

namespace ProductOps.Grains;

/// <summary>
/// Each silo's view of the tenant clocks, for rescoring users. Wall-clock tenants read the
/// system clock; event-clock tenants ask their tenant grain at most once per
/// <see cref="MaxAge"/> per silo, so thousands of rescoring users do not all call one grain.
/// </summary>
public sealed class TenantNowCache(IGrainFactory grains, TenantDirectory tenants, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, (long NowMs, DateTimeOffset ReadAt)> _eventClocks = new(StringComparer.Ordinal);

    /// <summary>The tenant clock's now (Unix ms), at most a second old for event-clock tenants.</summary>
    public async ValueTask<long> NowMsAsync(string tenant)
    {
        var wall = time.GetUtcNow();
        if (tenants.SettingsOf(tenant).Clock == TenantClock.Wall)
        {
            return wall.ToUnixTimeMilliseconds();
        }

        if (_eventClocks.TryGetValue(tenant, out var cached) && wall - cached.ReadAt < MaxAge)
        {
            return cached.NowMs;
        }

        var now = (await grains.GetGrain<ITenantGrain>(tenant).GetNow()).NowMs;
        _eventClocks[tenant] = (now, wall);
        return now;
    }
}
