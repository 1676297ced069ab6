using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions.Tenancy;

namespace ProductOps.Grains.Abstractions;

/// <summary>Configuration every ProductOps process shares: tenants, keys and the pipeline's shape.</summary>
public static class ProductOpsServiceCollectionExtensions
{
    public static IServiceCollection AddProductOpsTenancy(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(TenantDirectory)))
        {
            return services; // a co-hosted silo and gateway both ask; bind once, or lists bind twice
        }

        services.AddOptions<TenancyOptions>().BindConfiguration(TenancyOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TenancyOptions>, TenancyOptionsValidator>());
        services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PipelineOptions>, PipelineOptionsValidator>());
        services.TryAddSingleton<TenantDirectory>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
