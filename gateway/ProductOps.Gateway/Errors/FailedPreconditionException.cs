namespace ProductOps.Gateway.Errors;

/// <summary>The request is valid but the tenant is not in a state to answer it (e.g. no active
/// churn model yet): mapped to FailedPrecondition.</summary>
public sealed class FailedPreconditionException(string message) : Exception(message);
