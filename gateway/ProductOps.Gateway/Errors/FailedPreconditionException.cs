namespace ProductOps.Gateway.Errors;

/// <summary>The request is valid but the tenant (or the subject named by <see cref="Field"/>) is
/// not in a state to answer it (e.g. no active churn model yet, a user who cancelled): mapped to
/// FailedPrecondition, with the field in the trailer when there is one.</summary>
public sealed class FailedPreconditionException : Exception
{
    public FailedPreconditionException(string message)
        : base(message)
    {
    }

    public FailedPreconditionException(string field, string message)
        : base($"{field}: {message}")
    {
        Field = field;
    }

    /// <summary>The request field whose subject is not in that state; null when it is the tenant.</summary>
    public string? Field { get; }
}
