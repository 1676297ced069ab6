namespace ProductOps.Simulator;

/// <summary>The shape of a simulated product. The same options always give the same events.</summary>
public sealed class ProductSimulationOptions
{
    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Number of users.</summary>
    public int Users { get; set; } = 2_000;

    /// <summary>Length of the simulated window in days.</summary>
    public int Days { get; set; } = 42;

    /// <summary>First day of the window (UTC).</summary>
    public DateOnly Start { get; set; } = new(2025, 1, 6);

    /// <summary>Share of users who fade out and churn inside the window (only users with at least
    /// four weeks of history, three of them in the window, qualify).</summary>
    public double ChurnShare { get; set; } = 0.25;

    /// <summary>Share of churners whose last event is an explicit <c>subscription_cancelled</c>.</summary>
    public double CancelShare { get; set; } = 0.4;

    /// <summary>Share of users who signed up before the window (up to a year before).</summary>
    public double ExistingUserShare { get; set; } = 0.5;

    /// <summary>Share of the users who stay that take a 5-12 day break: silence that is not churn.</summary>
    public double BreakShare { get; set; } = 0.1;

    /// <summary>The product's features; <see cref="SimulatedFeature.Defaults"/> unless set.</summary>
    public IReadOnlyList<SimulatedFeature> Features { get; set; } = SimulatedFeature.Defaults;

    /// <summary>User ids are this prefix and a six-digit index.</summary>
    public string UserIdPrefix { get; set; } = "user-";
}
