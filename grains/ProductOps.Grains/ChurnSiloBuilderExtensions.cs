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
        services.AddOptions<ChurnOptions>().BindConfiguration(ChurnOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChurnOptions>, ChurnOptionsValidator>());
        services.TryAddSingleton<IModelStore>(sp =>
            new SqliteModelStore(Path.Combine(sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataDir, ModelsFile)));
        services.AddSingleton(sp => new ActiveModelCache(
            sp.GetRequiredService<IModelStore>(),
            TimeProvider.System,
            sp.GetRequiredService<IOptions<ChurnOptions>>().Value.ModelRefreshInterval));

        services.AddOptions<TrainingOptions>().BindConfiguration(TrainingOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrainingOptions>, TrainingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TrainingJobRunner>();
        services.AddTenantSettingsRefresher();
        services.AddHostedService<TrainingScheduler>();
        return silo;
    }
}
