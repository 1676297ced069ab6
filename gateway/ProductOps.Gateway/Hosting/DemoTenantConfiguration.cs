using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Hosting;
using ProductOps.Grains.Abstractions.Tenancy;

namespace ProductOps.Gateway.Hosting;

/// <summary>
/// The built-in <c>demo</c> tenant and its well-known keys (<see cref="DevKeys"/>), from
/// <see cref="FileName"/> beside the host's binaries. Loaded only in Development or when
/// <c>ProductOps:LocalTrial=true</c>, so a production process (a container image, say) starts
/// with the tenants its operators configured and nothing else.
/// </summary>
public static class DemoTenantConfiguration
{
    public const string FileName = "demo-tenant.json";

    public static IHostApplicationBuilder AddDemoTenantWhenLocal(this IHostApplicationBuilder builder)
    {
        var localTrial = builder.Configuration.GetValue<bool>(TenancyOptions.Section + ":" + nameof(TenancyOptions.LocalTrial));
        if (!builder.Environment.IsDevelopment() && !localTrial)
        {
            return builder;
        }

        // Right after the appsettings files: the environment and the command line still override it.
        var sources = builder.Configuration.Sources;
        var lastFile = sources.ToList().FindLastIndex(source => source is FileConfigurationSource); // -1: first of all
        sources.Insert(lastFile + 1, new JsonConfigurationSource
        {
            Path = FileName,
            Optional = false,
            FileProvider = builder.Environment.ContentRootFileProvider,
        });
        return builder;
    }
}
