using System.Globalization;

namespace ProductOps.Churn;

/// <summary>Trainer parameters and the minimum data a model needs.</summary>
public sealed class ChurnTrainingOptions
{
    /// <summary>Upper bound of <see cref="NumberOfTrees"/>.</summary>
    public const int MaxNumberOfTrees = 10_000;

    /// <summary>Upper bound of <see cref="NumberOfLeaves"/>.</summary>
    public const int MaxNumberOfLeaves = 1_024;

    /// <summary>Upper bound of <see cref="MinimumExampleCountPerLeaf"/>.</summary>
    public const int MaxMinimumExampleCountPerLeaf = 100_000;

    /// <summary>Share of the latest cutoffs held out for validation (time split), above 0 and below 1.</summary>
    public double ValidationShare { get; set; } = 0.25;

    /// <summary>Training needs at least this many churned examples.</summary>
    public int MinChurned { get; set; } = 100;

    /// <summary>Training needs at least this many retained examples.</summary>
    public int MinRetained { get; set; } = 100;

    /// <summary>Trees FastTree grows (1-10000).</summary>
    public int NumberOfTrees { get; set; } = 200;

    /// <summary>Most leaves per tree (2-1024: a tree needs two to split). Small trees of large
    /// leaves carry over from the training cutoffs to later ones better than ML.NET's 20 leaves
    /// of 20 examples, which learnt the training period's quirks (docs/architecture.md).</summary>
    public int NumberOfLeaves { get; set; } = 8;

    /// <summary>Fewest training examples a leaf may hold (1-100000).</summary>
    public int MinimumExampleCountPerLeaf { get; set; } = 50;

    /// <summary>Shrinkage of each tree's step, above 0 and at most 1.</summary>
    public double LearningRate { get; set; } = 0.1;

    /// <summary>Seed of the trainer, so a retrain on the same data gives the same model.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Every trainer parameter out of its range, each as "<paramref name="section"/>:Setting
    /// must be ..., not value"; empty when all are valid. The minimum churned and retained
    /// examples are tenant settings, checked where those are.</summary>
    public IReadOnlyList<string> Validate(string section)
    {
        var failures = new List<string>();
        if (!(ValidationShare is > 0 and < 1))
        {
            failures.Add(Setting(section, nameof(ValidationShare), "above 0 and below 1", ValidationShare));
        }

        TrainingSetOptions.InRange(failures, section, nameof(NumberOfTrees), NumberOfTrees, 1, MaxNumberOfTrees);
        TrainingSetOptions.InRange(failures, section, nameof(NumberOfLeaves), NumberOfLeaves, 2, MaxNumberOfLeaves);
        TrainingSetOptions.InRange(failures, section, nameof(MinimumExampleCountPerLeaf), MinimumExampleCountPerLeaf, 1, MaxMinimumExampleCountPerLeaf);
        if (!(LearningRate is > 0 and <= 1))
        {
            failures.Add(Setting(section, nameof(LearningRate), "above 0 and at most 1", LearningRate));
        }

        return failures;
    }

    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of its range; the message names it.</exception>
    internal void ThrowIfInvalid()
    {
        if (Validate(nameof(ChurnTrainingOptions)) is [var failure, ..])
        {
            throw new ArgumentOutOfRangeException(nameof(ChurnTrainingOptions), failure);
        }
    }

    private static string Setting(string section, string setting, string range, double value) =>
        string.Create(CultureInfo.InvariantCulture, $"{section}:{setting} must be {range}, not {value}");
}
