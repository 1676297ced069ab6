namespace ProductOps.Grains.Abstractions.Training;

/// <summary>Where a training job is.</summary>
public enum TrainingStatus
{
    Queued = 0,
    Running = 1,
    Succeeded = 2,
    Failed = 3,

    /// <summary>The history holds too few examples; the job's message gives the counts.</summary>
    NotEnoughData = 4,
}
