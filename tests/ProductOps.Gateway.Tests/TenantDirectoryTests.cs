using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions.Tenancy;

namespace ProductOps.Gateway.Tests;

/// <summary>The tenant directory on its own, without a node.</summary>
public sealed class TenantDirectoryTests
{
    private static readonly TenantDirectory Directory = new(Options.Create(new TenancyOptions
    {
        Tenants = { ["acme"] = new TenantOptions(), ["globex"] = new TenantOptions() },
    }));

    [Fact]
    public void Canonical_AConfiguredTenant_IsTheDirectorysOwnString()
    {
        // Built at run time, as a grain's key split makes it: equal, but not the same object.
        var fromKey = string.Concat("ac", "me");

        var canonical = Directory.Canonical(fromKey);

        Assert.Equal("acme", canonical);
        Assert.Same(Directory.Canonical(string.Concat("a", "cme")), canonical);
        Assert.NotSame(fromKey, canonical);
    }

    [Fact]
    public void Canonical_AnUnknownTenant_IsTheArgument()
    {
        var unknown = string.Concat("init", "ech");

        Assert.Same(unknown, Directory.Canonical(unknown));
    }
}
