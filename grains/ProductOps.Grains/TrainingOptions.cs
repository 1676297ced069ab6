using ProductOps.Churn;

namespace ProductOps.Grains;

/// <summary>Background training of churn models (configuration section "ProductOps:Churn:Training").
/// The minimum churned and retained examples are per tenant settings, not options.</summary>
public sealed class TrainingOptions
{
    public const string Section = "ProductOps:Churn:Training";

    /// <summary>The trainer's parameters (trees, leaves, learning rate, holdout share, seed).</summary>
    public ChurnTrainingOptions Trainer { get; init; } = new();

    /// <summary>How cutoffs are laid over the history.</summary>
    public TrainingSetOptions Cutoffs { get; init; } = new();

    /// <summary>Events read from the log per page while building a training set.</summary>
    public int LogPageSize { get; set; } = 5_000;

    /// <summary>How often each silo checks whether a tenant's scheduled training is due.</summary>
    public TimeSpan ScheduleCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A running job keeps its grain active at most this long.</summary>
    public TimeSpan MaxJobDuration { get; set; } = TimeSpan.FromHours(6);
}
