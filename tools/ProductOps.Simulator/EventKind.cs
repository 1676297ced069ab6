namespace ProductOps.Simulator;

internal enum EventKind : byte
{
    SessionStart,
    FeatureUsed,
    Purchase,
    Feedback,
    Error,
    SubscriptionCancelled,
}
