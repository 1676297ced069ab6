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

    public List<ApiKeyOptions> Keys { get; init; } = [];

    public TenantRules ToRules() =>
        new(Clock, ChurnHorizonDays, ChurnEvents.Count > 0 ? [.. ChurnEvents] : TenantRules.Default.ChurnEvents);
}
