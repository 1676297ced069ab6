namespace ProductOps.Gateway.Errors;

/// <summary>The gateway holds as much work as it may, in all or for the caller's tenant: mapped
/// to ResourceExhausted, so clients back off and retry (batches with the same event ids).</summary>
public sealed class OverloadedException(string message) : Exception(message);
