namespace ProductOps.Grains.Abstractions.Training;

/// <summary>A churn-model training job of one tenant, as far as it got.</summary>
/// <param name="JobId">"tenant-N", N counting the tenant's jobs.</param>
/// <param name="Status">Where it is.</param>
/// <param name="Phase">What it is doing, in words (e.g. "reading partition 3 of 32").</param>
/// <param name="Progress">Fraction done, 0 to 1.</param>
/// <param name="UsersRead">Users whose histories were read.</param>
/// <param name="EventsRead">Events of the tenant read from the log.</param>
/// <param name="Examples">Training examples built.</param>
/// <param name="StartedAtMs">When it started (Unix ms).</param>
/// <param name="FinishedAtMs">When it ended, or null while it runs.</param>
/// <param name="Error">Why it failed or found too little data; empty otherwise.</param>
/// <param name="ModelVersion">The version it stored, or null.</param>
/// <param name="Activated">Whether that model became active (see <paramref name="Activation"/>).</param>
/// <param name="Activation">How the job decided whether its stored model becomes active; null
/// until a model is stored.</param>
/// <param name="Scheduled">Started by the schedule rather than by an operator.</param>
[GenerateSerializer, Immutable, Alias("productops.training-job")]
public sealed record TrainingJob(
    [property: Id(0)] string JobId,
    [property: Id(1)] TrainingStatus Status,
    [property: Id(2)] string Phase,
    [property: Id(3)] double Progress,
    [property: Id(4)] long UsersRead,
    [property: Id(5)] long EventsRead,
    [property: Id(6)] long Examples,
    [property: Id(7)] long StartedAtMs,
    [property: Id(8)] long? FinishedAtMs,
    [property: Id(9)] string Error,
    [property: Id(10)] int? ModelVersion,
    [property: Id(11)] bool Activated,
    [property: Id(12)] ActivationCheck? Activation = null,
    [property: Id(13)] bool Scheduled = false)
{
    public bool IsFinished => Status is not (TrainingStatus.Queued or TrainingStatus.Running);
}
