namespace ProductOps.Churn;

/// <summary>Trainer parameters and the minimum data a model needs.</summary>
public sealed class ChurnTrainingOptions
{
    /// <summary>Share of the latest cutoffs held out for validation (time split).</summary>
    public double ValidationShare { get; set; } = 0.25;

    /// <summary>Training needs at least this many churned examples.</summary>
    public int MinChurned { get; set; } = 100;

    /// <summary>Training needs at least this many retained examples.</summary>
    public int MinRetained { get; set; } = 100;

    public int NumberOfTrees { get; set; } = 200;

    public int NumberOfLeaves { get; set; } = 20;

    public int MinimumExampleCountPerLeaf { get; set; } = 20;

    public double LearningRate { get; set; } = 0.1;

    /// <summary>Seed of the trainer, so a retrain on the same data gives the same model.</summary>
    public int Seed { get; set; } = 1;
}
