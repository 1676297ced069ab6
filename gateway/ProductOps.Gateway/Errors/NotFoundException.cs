namespace ProductOps.Gateway.Errors;

/// <summary>The subject of a query does not exist for the caller's tenant: mapped to NotFound.</summary>
public sealed class NotFoundException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
}
