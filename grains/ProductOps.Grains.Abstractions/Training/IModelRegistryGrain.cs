namespace ProductOps.Grains.Abstractions.Training;

/// <summary>A tenant's churn-model registry (key: tenant id), for processes that do not hold the
/// registry themselves (gateways).</summary>
public interface IModelRegistryGrain : IGrainWithStringKey
{
    /// <summary>The tenant's models, newest first.</summary>
    Task<IReadOnlyList<ModelSummary>> List();

    /// <summary>One model, or null.</summary>
    Task<ModelSummary?> Get(int version);

    /// <summary>An operator makes the version active (also an older one: a rollback); false when
    /// there is no such version. It holds automatic activation (<see cref="ITrainingJobGrain.ActivateByHand"/>).</summary>
    Task<bool> Activate(int version);
}
