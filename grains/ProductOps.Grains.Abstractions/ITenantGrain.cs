using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

/// <summary>One tenant's live aggregates (key: tenant id).</summary>
public interface ITenantGrain : IAggregateGrain
{
    /// <summary>The tenant clock's now and the active users at that day.</summary>
    Task<TenantNow> GetNow();

    Task<TenantOverview> GetOverview(TimeRange range);

    Task<IReadOnlyList<string>> GetFeatures();

    /// <summary>Adds a gateway's ingestion counters (accepted, duplicates, rejected).</summary>
    Task RecordIngestion(IngestionCounts counts);

    /// <summary>The raw counters, for comparisons with the replay oracle.</summary>
    Task<CounterSet> GetCounters();
}
