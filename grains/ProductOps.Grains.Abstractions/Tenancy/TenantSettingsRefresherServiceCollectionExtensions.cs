using Microsoft.Extensions.DependencyInjection;

namespace ProductOps.Grains.Abstractions.Tenancy;

public static class TenantSettingsRefresherServiceCollectionExtensions
{
    /// <summary>Runs a <see cref="TenantSettingsRefresher"/> in this process: once per process (a
    /// silo, or a stand-alone gateway; an all-in-one node's gateway shares its silo's).</summary>
    public static IServiceCollection AddTenantSettingsRefresher(this IServiceCollection services)
    {
        services.AddOptions<TenantSettingsRefreshOptions>().BindConfiguration(TenantSettingsRefreshOptions.Section)
            .Validate(o => o.SettingsRefreshInterval > TimeSpan.Zero, $"{TenantSettingsRefreshOptions.Section}:SettingsRefreshInterval must be positive")
            .ValidateOnStart();
        services.AddSingleton<TenantSettingsRefresher>(); // also read by the gateway's readiness check
        services.AddHostedService(sp => sp.GetRequiredService<TenantSettingsRefresher>());
        return services;
    }
}
