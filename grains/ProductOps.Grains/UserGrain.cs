using Microsoft.Extensions.Options;
using ProductOps.Churn;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>
/// One user's live analytics. Snapshots are written lazily (every N events and on deactivation);
/// an activation catches up from the log, so nothing between snapshots is ever lost.
/// </summary>
public sealed class UserGrain(
    [PersistentState("user", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<UserState> state,
    IEventLog log,
    TenantDirectory tenants,
    IOptions<PipelineOptions> options,
    ActiveModelCache churnModels)
    : Grain, IUserGrain
{
    private readonly List<CounterDelta> _scratch = [];
    private string _tenant = string.Empty;
    private string _userId = string.Empty;
    private TenantRules _rules = TenantRules.Default;
    private int _unsaved;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _userId) = GrainKeys.Split(this.GetPrimaryKeyString());
        _rules = tenants.RulesOf(_tenant);
        var partition = PartitionMap.PartitionOf(_tenant, _userId, options.Value.Partitions);
        var missed = await log.ReadUserAsync(partition, _tenant, _userId, state.State.Watermark, cancellationToken);
        foreach (var e in missed)
        {
            ApplyNew(e);
        }
    }

    public async Task<UserApplyResult> Apply(UserApplyRequest request)
    {
        var user = state.State;
        if (user.RecentDeltas.Count > 0)
        {
            // Deltas at or below the checkpoint will never be asked for again.
            foreach (var seq in user.RecentDeltas.Keys.Where(seq => seq <= request.Checkpoint).ToList())
            {
                user.RecentDeltas.Remove(seq);
            }
        }

        var result = new CounterDelta[request.Events.Count][];
        for (var i = 0; i < request.Events.Count; i++)
        {
            var e = request.Events[i];
            if (e.Seq > user.Watermark)
            {
                result[i] = ApplyNew(e);
            }
            else if (user.RecentDeltas.TryGetValue(e.Seq, out var deltas))
            {
                result[i] = deltas;
            }
            else
            {
                throw new MissingDeltasException(
                    $"user {this.GetPrimaryKeyString()}: no deltas kept for seq {e.Seq} (watermark {user.Watermark}, checkpoint {request.Checkpoint})");
            }
        }

        if (_unsaved >= options.Value.UserSnapshotEvery)
        {
            await SaveAsync();
        }

        return new UserApplyResult(result);
    }

    public Task<UserSnapshot> Get(long asOfMs) =>
        Task.FromResult(state.State.Activity.Snapshot(_userId, asOfMs, _rules));

    public async Task<ChurnRisk?> GetChurnRisk(long asOfMs)
    {
        var activity = state.State.Activity;
        if (activity.FirstSeenMs is null || await churnModels.GetAsync(_tenant) is not { } model)
        {
            return null;
        }

        // The very feature function the training-set builder ran at each cutoff.
        var score = model.Scorer.Score(model.Scorer.FeaturesOf(activity, asOfMs));
        return new ChurnRisk(score.Probability, model.Version, asOfMs, [.. score.Reasons.Select(r => r.Text)]);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_unsaved > 0)
        {
            await SaveAsync();
        }
    }

    private CounterDelta[] ApplyNew(LoggedEvent e)
    {
        _scratch.Clear();
        state.State.Activity.Apply(e.Event, _rules, _scratch);
        var deltas = _scratch.ToArray();
        state.State.RecentDeltas[e.Seq] = deltas;
        state.State.Watermark = e.Seq;
        _unsaved++;
        return deltas;
    }

    private async Task SaveAsync()
    {
        await state.WriteStateAsync();
        _unsaved = 0;
    }
}
