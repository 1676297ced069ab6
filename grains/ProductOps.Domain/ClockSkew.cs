namespace ProductOps.Domain;

/// <summary>Corrects a client's clock skew the way Segment does: when the client says when it
/// sent the batch, each event time moves by (received - sent).</summary>
public static class ClockSkew
{
    public static long Correct(long timestampMs, long? sentAtMs, long receivedAtMs) =>
        sentAtMs is { } sent ? timestampMs + (receivedAtMs - sent) : timestampMs;
}
