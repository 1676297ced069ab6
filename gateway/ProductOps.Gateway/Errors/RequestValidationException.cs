using ProductOps.Domain;

namespace ProductOps.Gateway.Errors;

/// <summary>A malformed request: mapped to InvalidArgument with the field and the reason.</summary>
public sealed class RequestValidationException(ValidationFailure failure) : Exception(failure.ToString())
{
    public ValidationFailure Failure { get; } = failure;
}
