using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>One tenant (one product): its clock, churn rules and API keys.</summary>
public sealed class TenantOptions
{
    /// <summary>"Wall" for live products, "Event" for imported histories and replays.</summary>
    public TenantClock Clock { get; set; } = TenantClock.Wall;

    /// <summary>Days without activity after which a user counts as churned (1-365).</summary>
    public int ChurnHorizonDays { get; set; } = 14;

    /// <summary>Event names that mean a user left, e.g. subscription_cancelled.</summary>
    public List<string> ChurnEvents { get; init; } = [];

    /// <summary>Churn probability at or above which a user counts as at risk (0-1).</summary>
    public double AlertThreshold { get; set; } = TenantSettings.Default.AlertThreshold;

    /// <summary>Hours between scheduled model trainings; 0 = on demand only.</summary>
    public int TrainingIntervalHours { get; set; } = TenantSettings.Default.TrainingIntervalHours;

    /// <summary>A training needs at least this many churned examples.</summary>
    public int MinChurned { get; set; } = TenantSettings.Default.MinChurned;

    /// <summary>A training needs at least this many retained examples.</summary>
    public int MinRetained { get; set; } = TenantSettings.Default.MinRetained;

    /// <summary>The tenant's API keys and the scopes each grants.</summary>
    public List<ApiKeyOptions> Keys { get; init; } = [];

    /// <summary>The configured defaults of the tenant's settings.</summary>
    public TenantSettings ToSettings() => new(
        Clock,
        ChurnHorizonDays,
        ChurnEvents.Count > 0 ? [.. ChurnEvents] : TenantSettings.Default.ChurnEvents,
        AlertThreshold,
        TrainingIntervalHours,
        MinChurned,
        MinRetained);
}
