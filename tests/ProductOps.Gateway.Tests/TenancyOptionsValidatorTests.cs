using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Testing;

namespace ProductOps.Gateway.Tests;

/// <summary>The tenant configuration a node refuses at start: keys that would grant more, or to
/// another tenant, than whoever wrote the configuration meant.</summary>
public sealed class TenancyOptionsValidatorTests
{
    private static readonly TenancyOptionsValidator Validator = new(new Environment());

    [Fact]
    public void Validate_OneKeyUnderTwoTenants_FailsNamingBothPlacesNotTheKey()
    {
        var options = Tenants(("acme", Key("shared-secret-1-5e2a9c4d", "admin")), ("globex", Key("shared-secret-1-5e2a9c4d", "read")));

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("ProductOps:Tenants:globex:Keys:0: the same key as ProductOps:Tenants:acme:Keys:0", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("shared-secret-1-5e2a9c4d", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OneKeyAsTextAndAsItsDigest_FailsAsTheSameKey()
    {
        var digest = new ApiKeyOptions { Sha256 = KeyDigest.Of("acme-secret-7c1e9a4f20").ToUpperInvariant(), Scopes = { "read" } };
        var options = Tenants(("acme", Key("acme-secret-7c1e9a4f20", "ingest")), ("acme2", digest));

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("ProductOps:Tenants:acme2:Keys:0: the same key as ProductOps:Tenants:acme:Keys:0", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("7")] // a number is every scope to enum parsing
    [InlineData("read, admin")] // a list in one string
    [InlineData("None")]
    [InlineData("")]
    public void Validate_ScopeNotAName_FailsNamingTheScopes(string scope)
    {
        var result = Validator.Validate(null, Tenants(("acme", Key("acme-secret-7c1e9a4f20", scope))));

        Assert.True(result.Failed);
        Assert.Contains($"ProductOps:Tenants:acme:Keys:0:Scopes: unknown scope '{scope}' (expected ingest, read or admin)", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KeyWithoutScopes_FailsAskingForOne()
    {
        var result = Validator.Validate(null, Tenants(("acme", Key("acme-secret-7c1e9a4f20"))));

        Assert.True(result.Failed);
        Assert.Contains("ProductOps:Tenants:acme:Keys:0:Scopes: give at least one scope", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DistinctKeysWithNamedScopes_Succeeds()
    {
        var options = Tenants(("acme", Key("acme-secret-7c1e9a4f20", "Ingest", "READ")), ("globex", Key("globex-secret-3b8d0e6a", "admin")));

        Assert.True(Validator.Validate(null, options).Succeeded);
        Assert.True(new TenantDirectory(Options.Create(options)).TryAuthenticate("acme-secret-7c1e9a4f20", out var grant));
        Assert.Equal(("acme", ApiScope.Ingest | ApiScope.Read), (grant.Tenant, grant.Scopes));
    }

    [Fact]
    public void Validate_ShortPlainKeyInProduction_FailsNamingThePlaceNotTheKey()
    {
        var result = Validator.Validate(null, Tenants(("acme", Key("acme-k3y-19-chars!!", "read"))));

        Assert.True(result.Failed);
        Assert.Contains("ProductOps:Tenants:acme:Keys:0:Key: shorter than 20 characters", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("ProductOps:LocalTrial=true", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("acme-k3y-19-chars!!", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShortPlainKeyInALocalTrialOrDevelopment_Succeeds()
    {
        var trial = Tenants(("acme", Key("acme-key", "read")));
        trial.LocalTrial = true;
        var development = new TenancyOptionsValidator(new Environment { EnvironmentName = Environments.Development });

        Assert.True(Validator.Validate(null, trial).Succeeded);
        Assert.True(development.Validate(null, Tenants(("acme", Key("acme-key", "read")))).Succeeded);
    }

    [Fact]
    public void TenantDirectory_OneKeyUnderTwoTenants_RefusesToBuild()
    {
        var options = Tenants(("acme", Key("shared-secret-2-8f0b3d6e", "admin")), ("globex", Key("shared-secret-2-8f0b3d6e", "read")));

        var error = Assert.Throws<InvalidOperationException>(() => new TenantDirectory(Options.Create(options)));

        Assert.Contains("ProductOps:Tenants:globex", error.Message, StringComparison.Ordinal);
    }

    private static ApiKeyOptions Key(string key, params string[] scopes)
    {
        var options = new ApiKeyOptions { Key = key };
        options.Scopes.AddRange(scopes);
        return options;
    }

    private static TenancyOptions Tenants(params (string Tenant, ApiKeyOptions Key)[] tenants)
    {
        var options = new TenancyOptions();
        foreach (var (tenant, key) in tenants)
        {
            options.Tenants[tenant] = new TenantOptions { Keys = { key } };
        }

        return options;
    }

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;

        public string ApplicationName { get; set; } = "ProductOps.Tests";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
