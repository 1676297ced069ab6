namespace ProductOps.Grains.Abstractions.Training;

/// <summary>A tenant's churn-model training (key: tenant id): one job at a time, run in the
/// background; the last job's outcome is persisted.</summary>
public interface ITrainingJobGrain : IGrainWithStringKey
{
    /// <summary>Starts a job and returns it at once; while one runs, returns that one instead.</summary>
    Task<TrainingJob> Start();

    /// <summary>The job with this id (the running or the last one), or null.</summary>
    Task<TrainingJob?> Get(string jobId);

    /// <summary>The running or the last job, or null when the tenant never trained.</summary>
    Task<TrainingJob?> GetLatest();
}
