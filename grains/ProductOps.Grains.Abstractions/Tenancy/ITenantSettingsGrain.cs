namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>One tenant's settings overrides, persisted (key: tenant id). Silos and stand-alone
/// gateways copy them into their <see cref="TenantDirectory"/> within seconds of a change
/// (<see cref="TenantSettingsRefresher"/>).</summary>
public interface ITenantSettingsGrain : IGrainWithStringKey
{
    /// <summary>The stored overrides of the configured defaults (all null when none).</summary>
    Task<TenantSettingsUpdate> GetOverrides();

    /// <summary>The configured defaults with the overrides applied.</summary>
    Task<TenantSettings> Get();

    /// <summary>Validates and stores the update, and returns the resulting settings.</summary>
    /// <exception cref="ArgumentException">A field is out of range; nothing is stored.</exception>
    Task<TenantSettings> Update(TenantSettingsUpdate update);
}
