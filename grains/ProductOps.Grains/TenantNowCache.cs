using System.Collections.Concurrent;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Grains.Abstractions.Tenancy;

namespace ProductOps.Grains;

/// <summary>
/// Each silo's view of the tenant clocks, for rescoring users. Wall-clock tenants read the
/// system clock; event-clock tenants ask their tenant grain at most once per
/// <see cref="MaxAge"/> per silo: callers share one reading, so thousands of rescoring users
/// neither all call one grain nor, while it is unreachable (its silo just died), all fail.
/// </summary>
public sealed class TenantNowCache(IGrainFactory grains, TenantDirectory tenants, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, Reading> _eventClocks = new(StringComparer.Ordinal);

    /// <summary>The tenant clock's now (Unix ms), at most a second old for event-clock tenants;
    /// an older one if the tenant grain cannot answer now (rescoring never needs it exact: a
    /// user is scored at their own latest event if that is later).</summary>
    public async ValueTask<long> NowMsAsync(string tenant)
    {
        var wall = time.GetUtcNow();
        if (tenants.SettingsOf(tenant).Clock == TenantClock.Wall)
        {
            return wall.ToUnixTimeMilliseconds();
        }

        var reading = _eventClocks.AddOrUpdate(
            tenant,
            static (key, state) => state.Cache.Read(key, state.Wall, known: null),
            static (key, old, state) => state.Wall - old.StartedAt < MaxAge ? old : state.Cache.Read(key, state.Wall, old.Known),
            (Cache: this, Wall: wall));
        try
        {
            return await reading.NowMs;
        }
        catch (Exception e) when (e is TimeoutException or OrleansException && reading.Previous is { } previous)
        {
            return previous;
        }
    }

    private Reading Read(string tenant, DateTimeOffset wall, long? known) => new(GetNowAsync(tenant), wall, known);

    private async Task<long> GetNowAsync(string tenant) =>
        // Off the first caller's context: other grains await this reading too.
        (await grains.GetGrain<ITenantGrain>(tenant).GetNow().ConfigureAwait(false)).NowMs;

    /// <param name="NowMs">The tenant grain's answer, shared by every caller until it is <see cref="MaxAge"/> old.</param>
    /// <param name="StartedAt">When the call was made (by this silo's clock).</param>
    /// <param name="Previous">The last clock read before this one, if any: the fallback if this one fails.</param>
    private sealed record Reading(Task<long> NowMs, DateTimeOffset StartedAt, long? Previous)
    {
        public long? Known => NowMs.IsCompletedSuccessfully ? NowMs.Result : Previous;
    }
}
