using Orleans.Concurrency;
using ProductOps.Churn;
using ProductOps.Grains.Abstractions.Training;

namespace ProductOps.Grains;

/// <summary>Reads a tenant's models in the registry every silo shares; stateless, so any silo
/// answers. Activations go to the tenant's <see cref="TrainingJobGrain"/>, which takes them in
/// turn with its jobs' automatic ones and holds automatic activation after one by hand.</summary>
[StatelessWorker]
public sealed class ModelRegistryGrain(IModelStore store) : Grain, IModelRegistryGrain
{
    private string Tenant => this.GetPrimaryKeyString();

    public async Task<IReadOnlyList<ModelSummary>> List() =>
        [.. (await store.ListAsync(Tenant)).Select(ModelSummaryMapper.ToSummary)];

    public async Task<ModelSummary?> Get(int version) =>
        await store.GetAsync(Tenant, version) is { } info ? ModelSummaryMapper.ToSummary(info) : null;

    public Task<bool> Activate(int version) => GrainFactory.GetGrain<ITrainingJobGrain>(Tenant).ActivateByHand(version);
}
