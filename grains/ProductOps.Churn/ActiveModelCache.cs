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

    // Loads under way, by tenant and version: a sweep's concurrent calls that all find this
    // process behind share one load of the new model instead of each loading its own.
    private readonly ConcurrentDictionary<(string Tenant, int Version), Lazy<Task<ActiveModel?>>> _loads = new();

    /// <summary>The tenant's active model, or null when it has none.</summary>
    public async Task<ActiveModel?> GetAsync(string tenant, CancellationToken cancellationToken = default)
    {
        if (_entries.TryGetValue(tenant, out var entry) && time.GetUtcNow() - entry.CheckedAt < refreshInterval)
        {
            return entry.Model;
        }

        return await ReadAsync(tenant, entry, cancellationToken);
    }

    /// <summary>The tenant's active model as <see cref="GetAsync(string, CancellationToken)"/>
    /// gives it when that is version <paramref name="version"/>; otherwise the registry's active
    /// model read now (this process holds another, perhaps for up to the refresh interval still,
    /// or the registry moved on). For a caller that was told which version is active: a sweep
    /// must not score a user with this process's older view.</summary>
    public async Task<ActiveModel?> GetAsync(string tenant, int version, CancellationToken cancellationToken = default)
    {
        // One registry read at most: a stale entry is read again only here, not first by the
        // version-less lookup and then once more for the version.
        _entries.TryGetValue(tenant, out var entry);
        return entry is { Model: { } model } && model.Version == version && time.GetUtcNow() - entry.CheckedAt < refreshInterval
            ? model
            : await ReadAsync(tenant, entry, cancellationToken);
    }

    /// <summary>The registry's active model for the tenant, read now whatever this process holds.</summary>
    public Task<ActiveModel?> RefreshAsync(string tenant, CancellationToken cancellationToken = default) =>
        ReadAsync(tenant, _entries.GetValueOrDefault(tenant), cancellationToken);

    /// <summary>Forgets what was read for the tenant, so the next call asks the registry.</summary>
    public void Invalidate(string tenant) => _entries.TryRemove(tenant, out _);

    private async Task<ActiveModel?> ReadAsync(string tenant, Entry? entry, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var version = await store.GetActiveVersionAsync(tenant, cancellationToken);
        ActiveModel? model = null;
        if (version is { } v)
        {
            if (entry?.Model is { } loaded && loaded.Version == v)
            {
                model = loaded;
            }
            else
            {
                model = await LoadAsync(tenant, v).WaitAsync(cancellationToken);
            }
        }

        _entries[tenant] = new Entry(model, now);
        return model;
    }

    /// <summary>The model of one version, loaded once however many callers ask at the same time
    /// (a version's bytes never change, so sharing a load is always right). Off the caller's
    /// scheduler: the callers are grains, and a load must not depend on the first one staying.</summary>
    private Task<ActiveModel?> LoadAsync(string tenant, int version)
    {
        var key = (tenant, version);
        var load = _loads.GetOrAdd(key, static (k, self) => new Lazy<Task<ActiveModel?>>(() => Task.Run(() => self.LoadNowAsync(k.Tenant, k.Version))), this);
        var task = load.Value;
        if (task.IsCompleted)
        {
            _loads.TryRemove(KeyValuePair.Create(key, load));
        }
        else
        {
            _ = task.ContinueWith(_ => _loads.TryRemove(KeyValuePair.Create(key, load)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return task;
    }

    private async Task<ActiveModel?> LoadNowAsync(string tenant, int version) =>
        await store.GetModelBytesAsync(tenant, version, CancellationToken.None) is { } bytes ? new ActiveModel(version, ChurnScorer.Load(bytes)) : null;

    private sealed record Entry(ActiveModel? Model, DateTimeOffset CheckedAt);
}
