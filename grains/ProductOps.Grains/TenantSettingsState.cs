using ProductOps.Grains.Abstractions.Tenancy;

namespace ProductOps.Grains;

/// <summary>A tenant's settings overrides, as stored.</summary>
[GenerateSerializer, Alias("productops.tenant-settings-state")]
public sealed class TenantSettingsState
{
    [Id(0)]
    public TenantSettingsUpdate Overrides { get; set; } = TenantSettingsUpdate.None;

    /// <summary>When they last changed (Unix ms).</summary>
    [Id(1)]
    public long UpdatedAtMs { get; set; }
}
