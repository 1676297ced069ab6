namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>The tenant and scopes an authenticated key grants.</summary>
public sealed record ApiKeyGrant(string Tenant, ApiScope Scopes)
{
    public bool Allows(ApiScope scope) => (Scopes & scope) == scope;
}
