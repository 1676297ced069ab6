namespace ProductOps.Simulator;

/// <summary>What the simulation decided about one user: the answers a churn model is scored against.</summary>
/// <param name="UserId">The user's id in events.</param>
/// <param name="Plan">free, pro or enterprise.</param>
/// <param name="Country">ISO 3166 alpha-2 code.</param>
/// <param name="SignupDate">Signup day; no event of the user is earlier.</param>
/// <param name="Churned">Whether the user churns inside the window.</param>
/// <param name="DeclineStartsAt">Start of the 1-3 weeks of warning signs before churn.</param>
/// <param name="ChurnedAt">Start of the first day after the user's last active day: no event of
/// the user is at or after it.</param>
/// <param name="Cancelled">Whether the user's last event is <c>subscription_cancelled</c>.</param>
/// <param name="BreakStart">First day of a break with no activity that is not churn.</param>
/// <param name="BreakDays">Length of that break in days; 0 without one.</param>
public sealed record UserGroundTruth(
    string UserId,
    string Plan,
    string Country,
    DateOnly SignupDate,
    bool Churned,
    DateTimeOffset? DeclineStartsAt,
    DateTimeOffset? ChurnedAt,
    bool Cancelled,
    DateOnly? BreakStart,
    int BreakDays);
