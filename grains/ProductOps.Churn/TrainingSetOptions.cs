namespace ProductOps.Churn;

/// <summary>How cutoffs are laid over a history.</summary>
public sealed class TrainingSetOptions
{
    /// <summary>Days between consecutive cutoffs.</summary>
    public int CutoffEveryDays { get; set; } = 1;

    /// <summary>At most this many cutoffs (the latest ones are kept).</summary>
    public int MaxCutoffs { get; set; } = 120;

    /// <summary>The first cutoff is at least this many days after the first event, so early
    /// cutoffs are not all brand-new users.</summary>
    public int MinHistoryDays { get; set; } = 14;
}
