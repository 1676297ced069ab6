using Orleans.Concurrency;
using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

/// <summary>One tenant's live aggregates (key: tenant id). Reads change nothing, so they interleave:
/// queries ask the tenant for its clock or its active users, and must not wait behind a state write.</summary>
public interface ITenantGrain : IAggregateGrain
{
    /// <summary>The tenant clock's now and the active users at that day.</summary>
    [AlwaysInterleave]
    Task<TenantNow> GetNow();

    /// <summary>The active users at the day of <paramref name="asOfMs"/>: for a query that knows
    /// its "now" already (a wall-clock tenant's).</summary>
    [AlwaysInterleave]
    Task<ActiveUsers> GetActiveUsers(long asOfMs);

    [AlwaysInterleave]
    Task<TenantOverview> GetOverview(TimeRange range);

    [AlwaysInterleave]
    Task<IReadOnlyList<string>> GetFeatures();

    /// <summary>Which of <paramref name="names"/> (features not known to the asking gateway) events
    /// may use: those the tenant has already, and new ones while it has fewer than
    /// <paramref name="maxFeatures"/>. Admitted names count against the limit from then on, before
    /// their events are dispatched, so gateways admitting at once cannot pass it together.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> AdmitFeatures(IReadOnlyList<string> names, int maxFeatures);

    /// <summary>Adds a gateway's ingestion counters (accepted, duplicates, rejected).</summary>
    Task RecordIngestion(IngestionCounts counts);

    /// <summary>The raw counters, for comparisons with the replay oracle.</summary>
    [AlwaysInterleave]
    Task<CounterSet> GetCounters();
}
