namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>An API key and what it may do.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The key itself. Prefer <see cref="Sha256"/> in shared configuration.</summary>
    public string? Key { get; set; }

    /// <summary>The key's SHA-256, lower-case hex, instead of the key itself.</summary>
    public string? Sha256 { get; set; }

    /// <summary>Any of "ingest", "read", "admin".</summary>
    public List<string> Scopes { get; init; } = [];
}
