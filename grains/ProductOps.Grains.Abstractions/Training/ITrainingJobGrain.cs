namespace ProductOps.Grains.Abstractions.Training;

/// <summary>A tenant's churn-model training (key: tenant id): one job at a time, run in the
/// background; the last job's outcome is persisted. It also owns which model is active, so an
/// operator's activation and a job's automatic one never cross: an activation by hand holds
/// automatic activation for scheduled trainings until an operator lifts the hold.</summary>
public interface ITrainingJobGrain : IGrainWithStringKey
{
    /// <summary>Starts an operator's job and returns it at once; while one runs, returns that one
    /// instead. Its model is activated when it beats the recency baseline and the active model on
    /// the same holdout, whether or not automatic activation is held.</summary>
    Task<TrainingJob> Start();

    /// <summary>Starts a scheduled job, as <see cref="Start"/>; its model is not activated while
    /// automatic activation is held.</summary>
    Task<TrainingJob> StartScheduled();

    /// <summary>The job with this id (the running or the last one), or null.</summary>
    Task<TrainingJob?> Get(string jobId);

    /// <summary>The running or the last job, or null when the tenant never trained.</summary>
    Task<TrainingJob?> GetLatest();

    /// <summary>An operator makes a stored version active (also an older one: a rollback), which
    /// holds automatic activation; false when there is no such version (nothing changes).</summary>
    Task<bool> ActivateByHand(int version);

    /// <summary>The hold an activation by hand put on automatic activation, or null when none.</summary>
    Task<AutoActivationHold?> GetAutoActivationHold();

    /// <summary>Lifts the hold: scheduled trainings activate their model again when it wins.</summary>
    Task ResumeAutoActivation();
}
