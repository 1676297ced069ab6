namespace ProductOps.Gateway.Errors;

/// <summary>The gateway holds as much work as it may: mapped to ResourceExhausted, so clients
/// back off and retry with the same event ids.</summary>
public sealed class OverloadedException(string message) : Exception(message);
