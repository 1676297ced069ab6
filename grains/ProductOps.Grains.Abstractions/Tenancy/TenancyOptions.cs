namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>Tenants and their API keys (configuration section "ProductOps").</summary>
public sealed class TenancyOptions
{
    public const string Section = "ProductOps";

    /// <summary>Tenants by id (lower-case letters, digits, '-' and '_', at most 64 characters).</summary>
    public Dictionary<string, TenantOptions> Tenants { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Allows the well-known dev keys outside the Development environment: a local trial.</summary>
    public bool LocalTrial { get; set; }
}
