using Grpc.Core;
using ProductOps.Processes;
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
    public async Task Start_ProductionWithShortPlainKeyWithoutLocalTrial_ExitsNonZeroNamingThePlaceNotTheKey()
    {
        using var data = new TempDirectory();
        await using var silo = SiloProcess.Launch(data.Path, localTrial: false, settings: new Dictionary<string, string>
        {
            ["ProductOps:Tenants:acme:Keys:0:Key"] = "acme-pa55word",
            ["ProductOps:Tenants:acme:Keys:0:Scopes:0"] = "ingest",
        });

        var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ProductOps:Tenants:acme:Keys:0:Key: shorter than 20 characters", silo.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("acme-pa55word", silo.FullOutput, StringComparison.Ordinal);
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

    public static TheoryData<Dictionary<string, string>, string[]> SettingsOutOfRange { get; } = new()
    {
        {
            new Dictionary<string, string>
            {
                ["ProductOps:Gateway:MaxInFlightBatchesPerStream"] = "0",
                ["ProductOps:Gateway:MaxInFlightEvents"] = "-1",
                ["ProductOps:Gateway:MaxInFlightBytes"] = "1000",
                ["ProductOps:Gateway:CounterFlushInterval"] = "00:00:00",
                ["ProductOps:Gateway:MaxWatchesPerTenant"] = "0",
                ["ProductOps:Gateway:MaxExportsPerTenant"] = "0",
                ["ProductOps:Gateway:MaxViewWatchesPerTenant"] = "0",
                ["ProductOps:Gateway:MaxInFlightSharePerTenant"] = "0",
                ["ProductOps:Gateway:MaxTrackStreamsPerTenant"] = "100001",
            },
            [
                "ProductOps:Gateway:MaxInFlightBatchesPerStream must be 1-10,000, not 0",
                "ProductOps:Gateway:MaxInFlightEvents must be 1-100,000,000, not -1",
                "ProductOps:Gateway:MaxInFlightBytes must be 1,048,576-68,719,476,736 (1 MiB-64 GiB), not 1,000",
                "ProductOps:Gateway:MaxInFlightSharePerTenant must be 0.01-1, not 0",
                "ProductOps:Gateway:CounterFlushInterval must be above zero and at most 00:10:00, not 00:00:00",
                "ProductOps:Gateway:MaxWatchesPerTenant must be 1-100,000, not 0",
                "ProductOps:Gateway:MaxExportsPerTenant must be 1-10,000, not 0",
                "ProductOps:Gateway:MaxViewWatchesPerTenant must be 1-100,000, not 0",
                "ProductOps:Gateway:MaxTrackStreamsPerTenant must be 1-100,000, not 100,001",
            ]
        },
        {
            new Dictionary<string, string>
            {
                ["ProductOps:Limits:MaxRequestBytes"] = "134217728",
                ["ProductOps:Limits:MaxEventsPerRequest"] = "0",
                ["ProductOps:Limits:MaxProperties"] = "-5",
                ["ProductOps:Limits:MaxIdLength"] = "0",
                ["ProductOps:Limits:MaxFutureSkew"] = "-00:01:00",
                ["ProductOps:Limits:MaxAbsValue"] = "0",
            },
            [
                "ProductOps:Limits:MaxRequestBytes must be 1,024-67,108,864 (64 MiB), not 134,217,728",
                "ProductOps:Limits:MaxEventsPerRequest must be 1-100,000, not 0",
                "ProductOps:Limits:MaxProperties must be 1-10,000, not -5",
                "ProductOps:Limits:MaxIdLength must be 1-10,000, not 0",
                "ProductOps:Limits:MaxFutureSkew must be above zero and at most 7.00:00:00, not -00:01:00",
                "ProductOps:Limits:MaxAbsValue must be above 0 and at most 1000000000000000, not 0",
            ]
        },
        {
            new Dictionary<string, string>
            {
                ["ProductOps:Limits:MaxEventBytes"] = "2097152", // above the default request limit of 1 MiB
                ["ProductOps:Limits:MaxAbsValue"] = "NaN",
                ["ProductOps:Limits:MaxFeaturesPerTenant"] = "0",
            },
            [
                "ProductOps:Limits:MaxEventBytes must be 1,024-1,048,576 (MaxRequestBytes), not 2,097,152",
                "ProductOps:Limits:MaxFeaturesPerTenant must be 1-1,000,000, not 0",
                "ProductOps:Limits:MaxAbsValue must be above 0 and at most 1000000000000000, not NaN",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(SettingsOutOfRange))]
    public async Task Start_GatewaySettingsOrLimitsOutOfRange_ExitsNonZeroNamingEachSettingItsRangeAndValue(Dictionary<string, string> settings, string[] messages)
    {
        using var data = new TempDirectory();
        await using var silo = SiloProcess.Launch(data.Path, localTrial: true, settings: settings);

        var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.All(messages, message => Assert.Contains(message, silo.Output, StringComparison.Ordinal));
    }

    public static TheoryData<Dictionary<string, string>, string[]> SiloSettingsOutOfRange { get; } = new()
    {
        {
            new Dictionary<string, string>
            {
                ["ProductOps:Silo:SiloPort"] = "70000",
                ["ProductOps:Silo:GatewayPort"] = "-1",
                ["ProductOps:Silo:ShutdownTimeout"] = "00:00:00",
            },
            [
                "ProductOps:Silo:SiloPort must be 1-65,535, not 70,000",
                "ProductOps:Silo:GatewayPort must be 0-65,535 (0: none), not -1",
                "ProductOps:Silo:ShutdownTimeout must be above zero, not 00:00:00",
            ]
        },
        {
            // A host name where Orleans needs the address it advertises to the cluster (a pod's IP).
            new Dictionary<string, string>
            {
                ["ProductOps:Store"] = "Postgres",
                ["ProductOps:Postgres:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=nobody",
                ["ProductOps:Silo:AdvertisedAddress"] = "silo-0.productops",
            },
            ["ProductOps:Silo:AdvertisedAddress must be an IP address, not 'silo-0.productops'"]
        },
    };

    [Theory]
    [MemberData(nameof(SiloSettingsOutOfRange))]
    public async Task Start_SiloSettingsOutOfRange_ExitsNonZeroNamingEachSettingAndValue(Dictionary<string, string> settings, string[] messages)
    {
        using var data = new TempDirectory();
        await using var silo = SiloProcess.Launch(data.Path, localTrial: true, settings: settings);

        var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.All(messages, message => Assert.Contains(message, silo.Output, StringComparison.Ordinal));
    }

    /// <summary>A stand-alone gateway's cluster settings: a port Orleans cannot connect to, or an
    /// empty cluster identity, named before the client is built (a port of 70,000 failed in
    /// IPEndPoint's own "Parameter 'port'").</summary>
    [Fact]
    public async Task Start_StandAloneGatewayClusterSettingsOutOfRange_ExitsNonZeroNamingEachSettingAndValue()
    {
        var ports = LoopbackPorts.Free(2);
        await using var gateway = HostProcess.Start("gateway-bad-settings", RepoLayout.GatewayDll, ports[1], [
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{ports[0]}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{ports[1]}",
            "--ProductOps:LocalTrial=true",
            "--ProductOps:Cluster:GatewayPorts:0=30000",
            "--ProductOps:Cluster:GatewayPorts:1=70000",
            "--ProductOps:Cluster:ClusterId= ",
        ]);

        var exitCode = await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ProductOps:Cluster:GatewayPorts:1 must be 1-65,535, not 70,000", gateway.Output, StringComparison.Ordinal);
        Assert.Contains("ProductOps:Cluster:ClusterId must not be empty", gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MaxRequestBytesAboveEightMebibytes_AcceptsARequestOfNineMebibytes()
    {
        // gRPC's ceiling follows the configured limit: a limit above its former fixed 8 MiB is not cut to it.
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path, settings: new Dictionary<string, string>
        {
            ["ProductOps:Limits:MaxRequestBytes"] = (12 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var request = ValidationTests.NineMebibytes(Prefix("nine"));

        var response = await silo.Ingest.TrackAsync(request, DemoTenant.Ingest);

        Assert.Equal((request.Events.Count, 0), (response.Accepted, response.Rejected.Count));
    }
}
