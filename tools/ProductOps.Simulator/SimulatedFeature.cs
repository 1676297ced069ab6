namespace ProductOps.Simulator;

/// <summary>A feature of the simulated product and how users take to it.</summary>
/// <param name="Name">The feature key sent in events.</param>
/// <param name="Adoption">Share of users who ever adopt it, 0-1.</param>
/// <param name="UsePerSession">Chance an adopter uses it in a given session, 0-1.</param>
/// <param name="MeanUses">Mean uses in a session where it is used, at least 1.</param>
/// <param name="FeedbackMean">Mean feedback score of a satisfied user, 1-5.</param>
/// <param name="LaunchDay">Day of the simulation (0-based) it ships; nobody uses it before.</param>
/// <param name="Core">Core features are adopted at signup and kept longest by users who fade out.</param>
public sealed record SimulatedFeature(
    string Name,
    double Adoption,
    double UsePerSession,
    double MeanUses,
    double FeedbackMean,
    int LaunchDay = 0,
    bool Core = false)
{
    /// <summary>A product of ten features, from near-universal to niche, one launched mid-run.</summary>
    public static IReadOnlyList<SimulatedFeature> Defaults { get; } =
    [
        new("dashboard", 0.97, 0.90, 2.5, 4.2, Core: true),
        new("search", 0.85, 0.50, 2.0, 4.0, Core: true),
        new("reports", 0.60, 0.35, 1.5, 3.9),
        new("collaboration", 0.45, 0.30, 2.0, 4.3),
        new("export", 0.40, 0.20, 1.2, 3.6),
        new("alerts", 0.35, 0.25, 1.3, 4.1),
        new("mobile_app", 0.30, 0.30, 1.5, 3.8),
        new("ai_assistant", 0.25, 0.35, 2.0, 3.3, LaunchDay: 14),
        new("integrations", 0.20, 0.15, 1.2, 3.4),
        new("api", 0.10, 0.40, 4.0, 3.9),
    ];
}
