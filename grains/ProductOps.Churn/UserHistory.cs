using ProductOps.Domain;

namespace ProductOps.Churn;

/// <summary>One user's events as the log holds them, in log (seq) order.</summary>
public sealed record UserHistory(string UserId, IReadOnlyList<TrackedEvent> Events);
