using ProductOps.Grains.Abstractions.Training;

namespace ProductOps.Grains;

/// <summary>A tenant's training jobs as stored: how many were started, the last one, and whether
/// an operator's activation by hand holds automatic activation.</summary>
[GenerateSerializer, Alias("productops.training-job-state")]
public sealed class TrainingJobState
{
    [Id(0)]
    public int JobsStarted { get; set; }

    /// <summary>The last job; stored as running while it runs, so a crash leaves a trace.</summary>
    [Id(1)]
    public TrainingJob? Last { get; set; }

    /// <summary>Set by an activation by hand; scheduled trainings do not activate while it is.</summary>
    [Id(2)]
    public AutoActivationHold? Hold { get; set; }
}
