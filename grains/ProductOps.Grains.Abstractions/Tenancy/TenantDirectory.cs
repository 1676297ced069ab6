using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>Looks up tenants' rules and API keys. Keys are held only as SHA-256 digests.</summary>
public sealed class TenantDirectory
{
    private readonly Dictionary<string, ApiKeyGrant> _grantsByDigest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TenantSettings> _settings = new(StringComparer.Ordinal);

    public TenantDirectory(IOptions<TenancyOptions> options)
    {
        foreach (var (tenant, settings) in options.Value.Tenants)
        {
            _settings[tenant] = settings.ToSettings();
            foreach (var key in settings.Keys)
            {
                var digest = key.Sha256?.ToLowerInvariant() ?? Digest(key.Key ?? string.Empty);
                _grantsByDigest[digest] = new ApiKeyGrant(tenant, ParseScopes(key.Scopes));
            }
        }
    }

    public IEnumerable<string> Tenants => _settings.Keys;

    public bool TryAuthenticate(string apiKey, out ApiKeyGrant grant) =>
        _grantsByDigest.TryGetValue(Digest(apiKey), out grant!);

    /// <summary>The tenant's current settings (configured defaults until changed through the admin API).</summary>
    public TenantSettings SettingsOf(string tenant) => _settings.GetValueOrDefault(tenant) ?? TenantSettings.Default;

    public TenantRules RulesOf(string tenant) => SettingsOf(tenant).ToRules();

    public static string Digest(string apiKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    public static ApiScope ParseScopes(IEnumerable<string> scopes)
    {
        var result = ApiScope.None;
        foreach (var scope in scopes)
        {
            result |= Enum.TryParse<ApiScope>(scope, ignoreCase: true, out var parsed)
                ? parsed
                : throw new ArgumentException($"unknown scope '{scope}' (expected ingest, read or admin)", nameof(scopes));
        }

        return result;
    }
}
