using Microsoft.Extensions.DependencyInjection;

namespace ProductOps.Grains;

/// <summary>Adds live churn serving: each silo's tenant-clock cache for rescoring users and the
/// keeper of the tenants' sweeps. Needs a model registry (<see cref="ChurnSiloBuilderExtensions"/>).</summary>
public static class ChurnServingSiloBuilderExtensions
{
    public static ISiloBuilder AddChurnServing(this ISiloBuilder silo)
    {
        silo.Services.AddSingleton<TenantNowCache>();
        silo.Services.AddHostedService<ChurnSweepKeeper>();
        return silo;
    }
}
