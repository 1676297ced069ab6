using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>
/// A partial change of a tenant's settings: each field left null keeps its current value. The
/// same shape holds a tenant's stored overrides of the configured defaults.
/// </summary>
[GenerateSerializer, Immutable, Alias("productops.tenant-settings-update")]
public sealed record TenantSettingsUpdate(
    [property: Id(0)] TenantClock? Clock = null,
    [property: Id(1)] int? ChurnHorizonDays = null,
    [property: Id(2)] IReadOnlyList<string>? ChurnEvents = null,
    [property: Id(3)] double? AlertThreshold = null,
    [property: Id(4)] int? TrainingIntervalHours = null,
    [property: Id(5)] int? MinChurned = null,
    [property: Id(6)] int? MinRetained = null)
{
    public static TenantSettingsUpdate None { get; } = new();

    /// <summary>Every field of <paramref name="settings"/> as an update (to validate whole settings).</summary>
    public static TenantSettingsUpdate Of(TenantSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(settings.Clock, settings.ChurnHorizonDays, settings.ChurnEvents, settings.AlertThreshold,
            settings.TrainingIntervalHours, settings.MinChurned, settings.MinRetained);
    }

    /// <summary>The settings with this update's fields applied.</summary>
    public TenantSettings ApplyTo(TenantSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(
            Clock ?? settings.Clock,
            ChurnHorizonDays ?? settings.ChurnHorizonDays,
            ChurnEvents ?? settings.ChurnEvents,
            AlertThreshold ?? settings.AlertThreshold,
            TrainingIntervalHours ?? settings.TrainingIntervalHours,
            MinChurned ?? settings.MinChurned,
            MinRetained ?? settings.MinRetained);
    }

    /// <summary>This update followed by <paramref name="later"/>: the later one wins per field.</summary>
    public TenantSettingsUpdate Then(TenantSettingsUpdate later)
    {
        ArgumentNullException.ThrowIfNull(later);
        return new(
            later.Clock ?? Clock,
            later.ChurnHorizonDays ?? ChurnHorizonDays,
            later.ChurnEvents ?? ChurnEvents,
            later.AlertThreshold ?? AlertThreshold,
            later.TrainingIntervalHours ?? TrainingIntervalHours,
            later.MinChurned ?? MinChurned,
            later.MinRetained ?? MinRetained);
    }
}
