using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions;
using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>
/// One shard of a tenant's at-risk index. Persisted behind (every
/// <see cref="ChurnOptions.IndexPersistInterval"/> and on deactivation) rather than per score:
/// scores are recomputable, and every tenant's sweep rescores all users after a restart.
/// Threshold crossings are batched to the tenant's feed once a second.
/// </summary>
public sealed class ChurnIndexGrain(
    [PersistentState("churn-index", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<ChurnIndexState> state,
    TenantDirectory tenants,
    TimeProvider time,
    IOptions<ChurnOptions> options)
    : Grain, IChurnIndexGrain
{
    private static readonly TimeSpan PublishPeriod = TimeSpan.FromSeconds(1);
    private readonly List<AtRiskCrossing> _crossings = [];
    private string _tenant = string.Empty;
    private bool _dirty;
    private DateTimeOffset _persistedAt;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _tenant = GrainKeys.Split(this.GetPrimaryKeyString()).Tenant;
        _persistedAt = time.GetUtcNow();
        this.RegisterGrainTimer(static (grain, ct) => grain.OnTimer(ct), this, new GrainTimerCreationOptions(PublishPeriod, PublishPeriod));
        return Task.CompletedTask;
    }

    public Task Record(ChurnIndexEntry entry)
    {
        var users = state.State.Users;
        users.TryGetValue(entry.UserId, out var previous);
        users[entry.UserId] = entry;
        _dirty = true;

        var threshold = tenants.SettingsOf(_tenant).AlertThreshold;
        var before = previous?.Risk?.Probability;
        if (entry.Risk is { } risk && risk.Probability >= threshold && !(before >= threshold))
        {
            _crossings.Add(new AtRiskCrossing(entry, before));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ChurnIndexEntry>> Top(AtRiskQuery query)
    {
        var matches = state.State.Users.Values.Where(e =>
            e.Risk is { } risk
            && risk.Probability >= query.MinProbability
            && (query.After is null || query.After.Precedes(risk.Probability, e.UserId))
            && (query.Feature is null || e.Features.Contains(query.Feature, StringComparer.Ordinal)));
        return Task.FromResult<IReadOnlyList<ChurnIndexEntry>>([.. matches.Order(AtRiskOrder.Instance).Take(query.Limit)]);
    }

    public Task<ChurnIndexCounts> Count(double threshold)
    {
        int scored = 0, atRisk = 0;
        foreach (var entry in state.State.Users.Values)
        {
            if (entry.Risk is { } risk)
            {
                scored++;
                atRisk += risk.Probability >= threshold ? 1 : 0;
            }
        }

        return Task.FromResult(new ChurnIndexCounts(state.State.Users.Count, scored, atRisk));
    }

    public Task<IReadOnlyList<ChurnIndexEntry>> Page(string afterUserId, int limit) =>
        Task.FromResult<IReadOnlyList<ChurnIndexEntry>>([.. state.State.Users.Values
            .Where(e => string.CompareOrdinal(e.UserId, afterUserId) > 0)
            .OrderBy(e => e.UserId, StringComparer.Ordinal)
            .Take(limit)]);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The scores first: on a silo's shutdown the feed may already be gone.
        if (_dirty)
        {
            await state.WriteStateAsync(cancellationToken);
        }

        try
        {
            await PublishAsync();
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            // A live feed: crossings nobody could receive now are not replayed.
        }
    }

    private async Task OnTimer(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_dirty && now - _persistedAt >= options.Value.IndexPersistInterval)
        {
            _dirty = false;
            _persistedAt = now;
            await state.WriteStateAsync(cancellationToken);
        }

        await PublishAsync();
    }

    private async Task PublishAsync()
    {
        if (_crossings.Count == 0)
        {
            return;
        }

        var batch = _crossings.ToArray();
        _crossings.Clear();
        await GrainFactory.GetGrain<IAtRiskFeedGrain>(_tenant).Publish(batch);
    }
}
