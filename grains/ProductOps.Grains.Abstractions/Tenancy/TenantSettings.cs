using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>
/// A tenant's churn and clock settings: the configured defaults, overridden at run time through
/// the admin API. Every process reads them through <see cref="TenantDirectory.SettingsOf"/>.
/// </summary>
/// <param name="Clock">What "now" means for the tenant.</param>
/// <param name="ChurnHorizonDays">Days without activity after which a user counts as churned (1-365).</param>
/// <param name="ChurnEvents">Event names that mean a user left.</param>
/// <param name="AlertThreshold">Churn probability at or above which a user is "at risk" (0-1, exclusive of 0).</param>
/// <param name="TrainingIntervalHours">Hours between scheduled trainings; 0 = no schedule (train on demand only).</param>
/// <param name="MinChurned">A training needs at least this many churned examples.</param>
/// <param name="MinRetained">A training needs at least this many retained examples.</param>
[GenerateSerializer, Immutable, Alias("productops.tenant-settings")]
public sealed record TenantSettings(
    [property: Id(0)] TenantClock Clock,
    [property: Id(1)] int ChurnHorizonDays,
    [property: Id(2)] IReadOnlyList<string> ChurnEvents,
    [property: Id(3)] double AlertThreshold,
    [property: Id(4)] int TrainingIntervalHours,
    [property: Id(5)] int MinChurned,
    [property: Id(6)] int MinRetained)
{
    public static TenantSettings Default { get; } = new(
        TenantRules.Default.Clock,
        TenantRules.Default.ChurnHorizonDays,
        TenantRules.Default.ChurnEvents,
        AlertThreshold: 0.7,
        TrainingIntervalHours: 24,
        MinChurned: 100,
        MinRetained: 100);

    /// <summary>Equal settings: the churn event names compare by content, not by list instance
    /// (settings read back from storage or the wire hold new lists).</summary>
    public bool Equals(TenantSettings? other) =>
        other is not null
        && Clock == other.Clock
        && ChurnHorizonDays == other.ChurnHorizonDays
        && AlertThreshold.Equals(other.AlertThreshold)
        && TrainingIntervalHours == other.TrainingIntervalHours
        && MinChurned == other.MinChurned
        && MinRetained == other.MinRetained
        && ChurnEvents.SequenceEqual(other.ChurnEvents, StringComparer.Ordinal);

    public override int GetHashCode() =>
        HashCode.Combine(Clock, ChurnHorizonDays, ChurnEvents.Count, AlertThreshold, TrainingIntervalHours, MinChurned, MinRetained);

    /// <summary>The part of the settings that interprets events (lifecycle, tenant clock).</summary>
    public TenantRules ToRules() => new(Clock, ChurnHorizonDays, ChurnEvents);
}
