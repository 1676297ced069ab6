namespace ProductOps.Domain;

/// <summary>An event as received, before validation. <see cref="TimestampMs"/> is already
/// corrected for clock skew; <see cref="SizeBytes"/> is its encoded size, or a bound above it
/// when that bound is within the limit. A struct: one is made per received event and dropped
/// once checked.</summary>
public readonly record struct EventCandidate(
    string EventId,
    string UserId,
    string Name,
    string Feature,
    long TimestampMs,
    double Value,
    string SessionId,
    IReadOnlyDictionary<string, string>? Properties,
    int SizeBytes);
