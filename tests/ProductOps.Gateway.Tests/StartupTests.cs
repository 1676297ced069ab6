using Grpc.Core;
using ProductOps.Testing;
using static ProductOps.Gateway.Tests.EventFactory;

namespace ProductOps.Gateway.Tests;

/// <summary>What the node starts with, and how it refuses to start; each test runs a process of its own.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Start_ProductionWithoutLocalTrial_ServesOnlyTheConfiguredTenants()
    {
        using var data = new TempDirectory();
        var key = "acme-" + Guid.NewGuid().ToString("N");
        var digest = KeyDigest.Of(key);
        await using var silo = await SiloProcess.StartAsync(data.Path, localTrial: false, settings: new Dictionary<string, string>
        {
            ["ProductOps:Tenants:acme:Keys:0:Sha256"] = digest,
            ["ProductOps:Tenants:acme:Keys:0:Scopes:0"] = "ingest",
        });
        var request = new Contracts.V1.TrackRequest { Events = { Event("u1", "e1", "login", DateTimeOffset.UtcNow) } };

        var reply = await silo.Ingest.TrackAsync(request, DemoTenant.Headers(key));
        var demo = await Assert.ThrowsAsync<RpcException>(async () => await silo.Ingest.TrackAsync(request, DemoTenant.Ingest));

        Assert.Equal(1, reply.Accepted);
        Assert.Equal(StatusCode.Unauthenticated, demo.StatusCode); // no demo tenant outside Development or a local trial
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // as its digest
    public async Task Start_ProductionWithDevKeysWithoutLocalTrial_ExitsNonZeroNamingLocalTrial(bool asDigest)
    {
        using var data = new TempDirectory();
        await using var silo = SiloProcess.Launch(data.Path, localTrial: false, environmentName: "Production", settings: new Dictionary<string, string>
        {
            [asDigest ? "ProductOps:Tenants:acme:Keys:0:Sha256" : "ProductOps:Tenants:acme:Keys:0:Key"] = asDigest ? KeyDigest.Of(DemoTenant.IngestKey) : DemoTenant.IngestKey,
            ["ProductOps:Tenants:acme:Keys:0:Scopes:0"] = "ingest",
        });

        var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ProductOps:LocalTrial", silo.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_KeyDigestNotSha256Hex_ExitsNonZeroNamingTheKey()
    {
        using var data = new TempDirectory();
        await using var silo = SiloProcess.Launch(data.Path, localTrial: false, settings: new Dictionary<string, string>
        {
            ["ProductOps:Tenants:acme:Keys:0:Sha256"] = "not-a-digest", // the secret itself, say, where its digest belongs
            ["ProductOps:Tenants:acme:Keys:0:Scopes:0"] = "ingest",
        });

        var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ProductOps:Tenants:acme:Keys:0:Sha256: the key's SHA-256 digest as 64 hex digits", silo.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-digest", silo.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_BadPipelineSetting_ExitsNonZeroNamingTheSettingAndWhy()
    {
        using var data = new TempDirectory();
        await using var silo = SiloProcess.Launch(
            data.Path, localTrial: true, settings: new Dictionary<string, string> { ["ProductOps:Pipeline:Partitions"] = "0" });

        var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ProductOps:Pipeline:Partitions must be 1-4096, not 0", silo.Output, StringComparison.Ordinal);
    }
}
