namespace ProductOps.Bench;

/// <summary>One synthetic event, as both ProductOps and the PostgreSQL baseline receive it.</summary>
internal readonly record struct WorkloadEvent(
    string EventId, string UserId, string Name, string Feature, long TimestampMs, double Value, string SessionId);
