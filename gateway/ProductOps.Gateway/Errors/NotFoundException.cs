namespace ProductOps.Gateway.Errors;

/// <summary>The subject of a query does not exist for the caller's tenant: mapped to NotFound.</summary>
public sealed class NotFoundException(string field, string detail) : Exception($"{field}: {detail}")
{
    public string Field { get; } = field;

    public string Detail { get; } = detail;

    /// <summary>The same, for a field nested in <paramref name="path"/> of a larger request.</summary>
    public NotFoundException Within(string path) => new($"{path}.{Field}", Detail);
}
