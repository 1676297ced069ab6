using System.Collections.Concurrent;

namespace ProductOps.Churn;

/// <summary>
/// Each process's loaded active models, one per tenant. A model is loaded once per version; the
/// registry's active version is re-read at most every <c>refreshInterval</c>, so an activation in
/// any silo (or a rollback) reaches every silo within that interval, without a restart.
/// </summary>
public sealed class ActiveModelCache(IModelStore store, TimeProvider time, TimeSpan refreshInterval)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The tenant's active model, or null when it has none.</summary>
    public async Task<ActiveModel?> GetAsync(string tenant, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(tenant, out var entry) && now - entry.CheckedAt < refreshInterval)
        {
            return entry.Model;
        }

        var version = await store.GetActiveVersionAsync(tenant, cancellationToken);
        ActiveModel? model = null;
        if (version is { } v)
        {
            if (entry?.Model is { } loaded && loaded.Version == v)
            {
                model = loaded;
            }
            else if (await store.GetModelBytesAsync(tenant, v, cancellationToken) is { } bytes)
            {
                model = new ActiveModel(v, ChurnScorer.Load(bytes));
            }
        }

        _entries[tenant] = new Entry(model, now);
        return model;
    }

    /// <summary>Forgets what was read for the tenant, so the next call asks the registry.</summary>
    public void Invalidate(string tenant) => _entries.TryRemove(tenant, out _);

    private sealed record Entry(ActiveModel? Model, DateTimeOffset CheckedAt);
}
