namespace ProductOps.Bench;

/// <summary>A TrackRequest serialized before the clock starts, so the client spends its CPU on the
/// wire and not on building messages while it measures the server.</summary>
internal sealed record PreparedBatch(byte[] Payload, int Events);
