using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ProductOps.Churn;
using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>Adds churn prediction to a silo: the model registry, the per-silo cache of active
/// models, background training with its schedule, and live tenant settings.</summary>
public static class ChurnSiloBuilderExtensions
{
    /// <summary>The embedded registry's file in the data folder.</summary>
    public const string ModelsFile = "models.db";

    /// <summary>
    /// Adds churn serving and training. The registry is the one the store registered (PostgreSQL
    /// in a cluster, so every silo reads the same one); without one, an embedded SQLite registry
    /// in the data folder.
    /// </summary>
    public static ISiloBuilder AddChurnModels(this ISiloBuilder silo)
    {
        var services = silo.Services;
        services.AddOptions<ChurnOptions>().BindConfiguration(ChurnOptions.Section)
            .Validate(o => o.ModelRefreshInterval >= TimeSpan.Zero, "ProductOps:Churn:ModelRefreshInterval must not be negative")
            .Validate(o => o.RescoreDelay >= TimeSpan.Zero, "ProductOps:Churn:RescoreDelay must not be negative")
            .Validate(o => o.SweepCheckInterval > TimeSpan.Zero, "ProductOps:Churn:SweepCheckInterval must be positive")
            .Validate(o => o.SweepConcurrency is >= 1 and <= 10_000, "ProductOps:Churn:SweepConcurrency must be 1-10000")
            .Validate(o => o.IndexPersistInterval >= TimeSpan.Zero, "ProductOps:Churn:IndexPersistInterval must not be negative")
            .Validate(o => o.IndexScorePersistInterval >= TimeSpan.Zero, "ProductOps:Churn:IndexScorePersistInterval must not be negative")
            .ValidateOnStart();
        services.TryAddSingleton<IModelStore>(sp =>
            new SqliteModelStore(Path.Combine(sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataDir, ModelsFile)));
        services.AddSingleton(sp => new ActiveModelCache(
            sp.GetRequiredService<IModelStore>(),
            TimeProvider.System,
            sp.GetRequiredService<IOptions<ChurnOptions>>().Value.ModelRefreshInterval));

        services.AddOptions<TrainingOptions>().BindConfiguration(TrainingOptions.Section)
            .Validate(o => o.LogPageSize > 0, "ProductOps:Churn:Training:LogPageSize must be positive")
            .Validate(o => o.ScheduleCheckInterval > TimeSpan.Zero, "ProductOps:Churn:Training:ScheduleCheckInterval must be positive")
            .Validate(o => o.Trainer.NumberOfTrees > 0 && o.Trainer.ValidationShare is > 0 and < 1,
                "ProductOps:Churn:Training:Trainer needs NumberOfTrees > 0 and ValidationShare in (0, 1)")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TrainingJobRunner>();
        services.AddTenantSettingsRefresher();
        services.AddHostedService<TrainingScheduler>();
        return silo;
    }
}
