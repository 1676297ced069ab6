using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>Refuses bad tenant configuration at start, and the dev keys and short plain keys
/// outside Development unless the host is explicitly a local trial.</summary>
public sealed partial class TenancyOptionsValidator(IHostEnvironment environment) : IValidateOptions<TenancyOptions>
{
    // A key typed by a person may be a word or a pattern; 20 random characters are 80 bits even as
    // hex digits, past guessing over the network. Only plain keys can be measured, not digests.
    private const int MinKeyLength = 20;

    public ValidateOptionsResult Validate(string? name, TenancyOptions options)
    {
        var trial = environment.IsDevelopment() || options.LocalTrial;
        var failures = new List<string>();
        var keyPlaces = new Dictionary<string, string>(StringComparer.Ordinal); // digest -> where it was first configured
        foreach (var (tenant, settings) in options.Tenants)
        {
            if (!TenantIdPattern().IsMatch(tenant))
            {
                failures.Add($"ProductOps:Tenants:{tenant}: a tenant id is 1-64 of a-z, 0-9, '-' and '_'");
            }

            foreach (var failure in TenantSettingsValidator.Validate(TenantSettingsUpdate.Of(settings.ToSettings())))
            {
                failures.Add($"ProductOps:Tenants:{tenant}: {failure}");
            }

            for (var i = 0; i < settings.Keys.Count; i++)
            {
                var key = settings.Keys[i];
                var where = $"ProductOps:Tenants:{tenant}:Keys:{i}";
                if (string.IsNullOrEmpty(key.Key) == string.IsNullOrEmpty(key.Sha256))
                {
                    failures.Add($"{where}: give exactly one of Key or Sha256");
                }

                if (!string.IsNullOrEmpty(key.Sha256) && !Sha256Pattern().IsMatch(key.Sha256))
                {
                    failures.Add($"{where}:Sha256: the key's SHA-256 digest as 64 hex digits, not {key.Sha256.Length} characters of text");
                }

                // Named by place only: the key itself is a secret.
                if (!string.IsNullOrEmpty(key.Key) || !string.IsNullOrEmpty(key.Sha256))
                {
                    var keyDigest = TenantDirectory.DigestOf(key);
                    if (!keyPlaces.TryAdd(keyDigest, where))
                    {
                        failures.Add($"{where}: the same key as {keyPlaces[keyDigest]}; a key belongs to one tenant and one entry, with all its scopes there");
                    }
                }

                try
                {
                    TenantDirectory.ParseScopes(key.Scopes);
                }
                catch (ArgumentException e)
                {
                    failures.Add($"{where}:Scopes: {e.Message}");
                }

                var devKey = (key.Key is { } plain && DevKeys.All.Contains(plain)) || (key.Sha256 is { } digest && DevKeys.Digests.Contains(digest.ToLowerInvariant()));
                if (devKey && !trial)
                {
                    failures.Add(
                        $"{where}: a well-known dev key is configured outside Development; replace it, or set ProductOps:LocalTrial=true for a local trial");
                }
                else if (key.Key is { Length: > 0 and < MinKeyLength } && !trial)
                {
                    failures.Add(
                        $"{where}:Key: shorter than {MinKeyLength} characters, so guessable; use a key of at least {MinKeyLength} random characters, best configured as its Sha256 digest, or set ProductOps:LocalTrial=true for a local trial");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex TenantIdPattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Pattern();
}
