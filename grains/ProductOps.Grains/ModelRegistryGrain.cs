using Orleans.Concurrency;
using ProductOps.Churn;
using ProductOps.Grains.Abstractions.Training;

namespace ProductOps.Grains;

/// <summary>Reads and activates a tenant's models in the registry every silo shares; stateless,
/// so any silo answers.</summary>
[StatelessWorker]
public sealed class ModelRegistryGrain(IModelStore store, ActiveModelCache activeModels) : Grain, IModelRegistryGrain
{
    private string Tenant => this.GetPrimaryKeyString();

    public async Task<IReadOnlyList<ModelSummary>> List() =>
        [.. (await store.ListAsync(Tenant)).Select(ModelSummaryMapper.ToSummary)];

    public async Task<ModelSummary?> Get(int version) =>
        await store.GetAsync(Tenant, version) is { } info ? ModelSummaryMapper.ToSummary(info) : null;

    public async Task<bool> Activate(int version)
    {
        try
        {
            await store.ActivateAsync(Tenant, version);
        }
        catch (KeyNotFoundException)
        {
            return false;
        }

        // This silo switches at once; the others at their cache's next refresh.
        activeModels.Invalidate(Tenant);
        return true;
    }
}
