namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>What an API key may do.</summary>
[Flags]
public enum ApiScope
{
    None = 0,
    Ingest = 1,
    Read = 2,
    Admin = 4,
}
