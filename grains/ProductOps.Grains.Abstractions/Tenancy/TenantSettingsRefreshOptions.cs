namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>How often a process re-reads the tenants' stored settings overrides.</summary>
public sealed class TenantSettingsRefreshOptions
{
    /// <summary>Kept under the training section, where it has always been configured.</summary>
    public const string Section = "ProductOps:Churn:Training";

    /// <summary>How long an admin change of a tenant's settings may take to reach this process.</summary>
    public TimeSpan SettingsRefreshInterval { get; set; } = TimeSpan.FromSeconds(3);
}
