using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ProductOps.Grains;

/// <summary>Adds live churn serving: each silo's tenant-clock cache and queue of due rescorings
/// for rescoring users, and the keeper of the tenants' sweeps. Needs a model registry (<see cref="ChurnSiloBuilderExtensions"/>).</summary>
public static class ChurnServingSiloBuilderExtensions
{
    public static ISiloBuilder AddChurnServing(this ISiloBuilder silo)
    {
        silo.Services.AddSingleton<TenantNowCache>();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<RescoreQueue>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<RescoreQueue>());
        silo.Services.AddHostedService<ChurnSweepKeeper>();
        return silo;
    }
}
