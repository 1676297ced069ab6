namespace ProductOps.Domain;

/// <summary>An event as received, before validation. <see cref="TimestampMs"/> is already
/// corrected for clock skew; <see cref="SizeBytes"/> is its encoded size.</summary>
public sealed record EventCandidate(
    string EventId,
    string UserId,
    string Name,
    string Feature,
    long TimestampMs,
    double Value,
    string SessionId,
    IReadOnlyDictionary<string, string>? Properties,
    int SizeBytes);
