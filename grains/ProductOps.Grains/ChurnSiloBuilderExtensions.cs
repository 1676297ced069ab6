using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ProductOps.Churn;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>Adds churn serving: the model registry in the embedded data folder and the
/// per-silo cache of active models.</summary>
public static class ChurnSiloBuilderExtensions
{
    /// <summary>The registry's file in the data folder.</summary>
    public const string ModelsFile = "models.db";

    public static ISiloBuilder AddEmbeddedChurnModels(this ISiloBuilder silo)
    {
        silo.Services.AddOptions<ChurnOptions>().BindConfiguration(ChurnOptions.Section)
            .Validate(o => o.ModelRefreshInterval >= TimeSpan.Zero, "ProductOps:Churn:ModelRefreshInterval must not be negative")
            .Validate(o => o.RescoreDelay >= TimeSpan.Zero, "ProductOps:Churn:RescoreDelay must not be negative")
            .Validate(o => o.SweepCheckInterval > TimeSpan.Zero, "ProductOps:Churn:SweepCheckInterval must be positive")
            .Validate(o => o.SweepConcurrency is >= 1 and <= 10_000, "ProductOps:Churn:SweepConcurrency must be 1-10000")
            .Validate(o => o.IndexPersistInterval >= TimeSpan.Zero, "ProductOps:Churn:IndexPersistInterval must not be negative")
            .ValidateOnStart();
        silo.Services.AddSingleton<IModelStore>(sp =>
            new SqliteModelStore(Path.Combine(sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataDir, ModelsFile)));
        silo.Services.AddSingleton(sp => new ActiveModelCache(
            sp.GetRequiredService<IModelStore>(),
            TimeProvider.System,
            sp.GetRequiredService<IOptions<ChurnOptions>>().Value.ModelRefreshInterval));
        return silo;
    }
}
