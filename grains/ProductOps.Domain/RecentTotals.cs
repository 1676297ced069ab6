namespace ProductOps.Domain;

/// <summary>Sums of a user's per-day activity over a window of days.</summary>
public readonly record struct RecentTotals(
    int Events,
    int Sessions,
    int Errors,
    int FeedbackCount,
    double FeedbackSum,
    double Value);
