namespace ProductOps.Churn;

/// <summary>The model registry: versioned churn models per tenant, with their metrics, and which
/// one is active. Implementations live beside each database (SQLite embedded, PostgreSQL in a
/// cluster); every silo reads the same store, so an activation reaches all of them.</summary>
public interface IModelStore
{
    /// <summary>Stores a trained model as the tenant's next version (not active) and returns its info.</summary>
    Task<ChurnModelInfo> AddAsync(string tenant, ChurnTrainingResult result, TrainingSet data, long createdAtMs, CancellationToken cancellationToken = default);

    /// <summary>The tenant's models, newest first.</summary>
    Task<IReadOnlyList<ChurnModelInfo>> ListAsync(string tenant, CancellationToken cancellationToken = default);

    /// <summary>One model's info, or null.</summary>
    Task<ChurnModelInfo?> GetAsync(string tenant, int version, CancellationToken cancellationToken = default);

    /// <summary>One model's bytes, or null.</summary>
    Task<byte[]?> GetModelBytesAsync(string tenant, int version, CancellationToken cancellationToken = default);

    /// <summary>Makes the version the tenant's active model (also to roll back to an older one).</summary>
    /// <exception cref="KeyNotFoundException">The tenant has no such version.</exception>
    Task ActivateAsync(string tenant, int version, CancellationToken cancellationToken = default);

    /// <summary>The active version of the tenant, or null when none is active. Cheap: silos poll it.</summary>
    Task<int?> GetActiveVersionAsync(string tenant, CancellationToken cancellationToken = default);
}
