using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>
/// Looks up tenants' settings, rules and API keys. Keys are held only as SHA-256 digests.
/// Settings are one immutable snapshot, swapped whole when an admin update arrives
/// (<see cref="Apply"/>), so readers never lock and never see half an update.
/// </summary>
public sealed class TenantDirectory
{
    private readonly Dictionary<string, ApiKeyGrant> _grantsByDigest = new(StringComparer.Ordinal);
    private readonly FrozenDictionary<string, TenantSettings> _defaults;
    private readonly FrozenSet<string> _names;
    private static readonly TenantEntry Fallback = new(TenantSettings.Default);
    private readonly Lock _writeLock = new();
    private volatile FrozenDictionary<string, TenantEntry> _current;

    public TenantDirectory(IOptions<TenancyOptions> options)
    {
        var defaults = new Dictionary<string, TenantSettings>(StringComparer.Ordinal);
        foreach (var (tenant, settings) in options.Value.Tenants)
        {
            defaults[tenant] = settings.ToSettings();
            foreach (var key in settings.Keys)
            {
                // The validator refuses a key configured twice; this guards hosts that skip it,
                // since a last-one-wins overwrite would hand one tenant's key another's grant.
                if (!_grantsByDigest.TryAdd(DigestOf(key), new ApiKeyGrant(tenant, ParseScopes(key.Scopes))))
                {
                    throw new InvalidOperationException($"ProductOps:Tenants:{tenant}: an API key is configured more than once");
                }
            }
        }

        _defaults = defaults.ToFrozenDictionary(StringComparer.Ordinal);
        _names = defaults.Keys.ToFrozenSet(StringComparer.Ordinal);
        _current = defaults.ToFrozenDictionary(d => d.Key, d => new TenantEntry(d.Value), StringComparer.Ordinal);
    }

    /// <summary>The configured tenants.</summary>
    public IEnumerable<string> Tenants => _defaults.Keys;

    /// <summary>The configured tenant's own id string when <paramref name="tenant"/> equals it,
    /// otherwise <paramref name="tenant"/>: a grain that keeps its tenant's id for its lifetime
    /// (one per user) then shares one string with all the others instead of holding a copy.</summary>
    public string Canonical(string tenant) => _names.TryGetValue(tenant, out var name) ? name : tenant;

    public bool TryAuthenticate(string apiKey, out ApiKeyGrant grant) =>
        _grantsByDigest.TryGetValue(Digest(apiKey), out grant!);

    /// <summary>The tenant's current settings (configured defaults until changed through the admin API).</summary>
    public TenantSettings SettingsOf(string tenant) => EntryOf(tenant).Settings;

    /// <summary>The tenant's current rules; the same object until its settings change.</summary>
    public TenantRules RulesOf(string tenant) => EntryOf(tenant).Rules;

    /// <summary>The tenant's configured defaults, which stored overrides apply to.</summary>
    public TenantSettings DefaultsOf(string tenant) => _defaults.GetValueOrDefault(tenant) ?? TenantSettings.Default;

    /// <summary>Makes the tenant's settings its defaults with <paramref name="overrides"/> applied.
    /// Returns whether they changed.</summary>
    public bool Apply(string tenant, TenantSettingsUpdate overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var settings = overrides.ApplyTo(DefaultsOf(tenant));
        lock (_writeLock)
        {
            var current = _current;
            if (current.TryGetValue(tenant, out var entry) && entry.Settings == settings)
            {
                return false;
            }

            var next = new Dictionary<string, TenantEntry>(current, StringComparer.Ordinal) { [tenant] = new TenantEntry(settings) };
            _current = next.ToFrozenDictionary(StringComparer.Ordinal);
            return true;
        }
    }

    public static string Digest(string apiKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    /// <summary>The digest a configured key is looked up by, whether given as the key or its digest.</summary>
    public static string DigestOf(ApiKeyOptions key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Sha256?.ToLowerInvariant() ?? Digest(key.Key ?? string.Empty);
    }

    /// <summary>The scopes named, by their names only: enum parsing would also take numbers
    /// ("7" is every scope) and lists in one string, which no one reading the configuration
    /// would expect to grant anything.</summary>
    public static ApiScope ParseScopes(IEnumerable<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var result = ApiScope.None;
        foreach (var scope in scopes)
        {
            result |= scope.ToLowerInvariant() switch
            {
                "ingest" => ApiScope.Ingest,
                "read" => ApiScope.Read,
                "admin" => ApiScope.Admin,
                _ => throw new ArgumentException($"unknown scope '{scope}' (expected ingest, read or admin)", nameof(scopes)),
            };
        }

        return result == ApiScope.None
            ? throw new ArgumentException("give at least one scope: ingest, read or admin", nameof(scopes))
            : result;
    }

    private TenantEntry EntryOf(string tenant) => _current.GetValueOrDefault(tenant) ?? Fallback;

    /// <summary>A tenant's settings and the rules derived from them, built once per change.</summary>
    private sealed record TenantEntry(TenantSettings Settings)
    {
        public TenantRules Rules { get; } = Settings.ToRules();
    }
}
