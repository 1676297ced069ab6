using System.Globalization;

namespace ProductOps.Churn;

/// <summary>How cutoffs are laid over a history.</summary>
public sealed class TrainingSetOptions
{
    /// <summary>Upper bound of <see cref="CutoffEveryDays"/>: a year between cutoffs.</summary>
    public const int MaxCutoffEveryDays = 365;

    /// <summary>Upper bound of <see cref="MaxCutoffs"/>: ten years of daily cutoffs.</summary>
    public const int MaxMaxCutoffs = 3_650;

    /// <summary>Upper bound of <see cref="MinHistoryDays"/>: ten years.</summary>
    public const int MaxMinHistoryDays = 3_650;

    /// <summary>Days between consecutive cutoffs (1-365).</summary>
    public int CutoffEveryDays { get; set; } = 1;

    /// <summary>At most this many cutoffs, the latest ones kept (2-3650: a time split needs two).</summary>
    public int MaxCutoffs { get; set; } = 120;

    /// <summary>The first cutoff is at least this many days after the first event, so early
    /// cutoffs are not all brand-new users (1-3650).</summary>
    public int MinHistoryDays { get; set; } = 14;

    /// <summary>Every setting out of its range, each as "<paramref name="section"/>:Setting must
    /// be low-high, not value"; empty when all are valid.</summary>
    public IReadOnlyList<string> Validate(string section)
    {
        var failures = new List<string>();
        // A step of 0 would repeat one cutoff; a negative one would walk past the data, where
        // every label is "churned".
        InRange(failures, section, nameof(CutoffEveryDays), CutoffEveryDays, 1, MaxCutoffEveryDays);
        InRange(failures, section, nameof(MaxCutoffs), MaxCutoffs, 2, MaxMaxCutoffs);
        InRange(failures, section, nameof(MinHistoryDays), MinHistoryDays, 1, MaxMinHistoryDays);
        return failures;
    }

    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range; the message names it.</exception>
    internal void ThrowIfInvalid()
    {
        if (Validate(nameof(TrainingSetOptions)) is [var failure, ..])
        {
            throw new ArgumentOutOfRangeException(nameof(TrainingSetOptions), failure);
        }
    }

    internal static void InRange(List<string> failures, string section, string setting, long value, long low, long high)
    {
        if (value < low || value > high)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{section}:{setting} must be {low}-{high}, not {value}"));
        }
    }
}
