using System.Diagnostics;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;
using ProductOps.Contracts.V1;
using ProductOps.Testing;
using Xunit.Abstractions;

namespace ProductOps.Deploy.Tests;

/// <summary>
/// The manifests' pods as local processes (<see cref="Pod"/>) on a fresh PostgreSQL database,
/// with the two Secrets deploy/README.md tells operators to create: what a cluster would run,
/// short of the container runtime and the pod network.
/// </summary>
public sealed class PodRunTests(PodRunTests.Image image, ITestOutputHelper output) : IClassFixture<PodRunTests.Image>
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Pods_GatewayBeforeSilo_ServeTheTenant_ASiloReplacedKeepsEveryEvent_AGatewayReadyHasTheTenantsSettings()
    {
        await using var database = await TestDatabase.CreateAsync("deploy");
        var ingestKey = "ingest-" + Guid.NewGuid().ToString("N");
        var readKey = "read-" + Guid.NewGuid().ToString("N");
        var adminKey = "admin-" + Guid.NewGuid().ToString("N");
        var secrets = Secrets(database, (ingestKey, "ingest"), (readKey, "read"), (adminKey, "admin"));
        var manifests = Manifests.Load();

        // `kubectl apply` starts everything at once; a gateway that comes up first must wait
        // alive and unready, not crash-loop.
        await using var gateway = Pod.Start(manifests, image.Published, "productops-gateway", secrets);
        await gateway.WaitUntilAsync("startupProbe", StartPatience);
        Assert.False(await gateway.PassesAsync("readinessProbe"));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{ServicePort(manifests, gateway)}");
        var ingest = new IngestService.IngestServiceClient(channel);
        var query = new QueryService.QueryServiceClient(channel);
        var early = await Assert.ThrowsAsync<RpcException>(async () => await ingest.TrackAsync(Batch("early", 1), Headers(ingestKey)));
        Assert.Equal(StatusCode.Unavailable, early.StatusCode); // retryable, unlike an internal error

        var clock = Stopwatch.StartNew();
        await using var firstSilo = Pod.Start(manifests, image.Published, "productops-silo", secrets);
        await firstSilo.WaitUntilAsync("startupProbe", StartPatience);
        await firstSilo.WaitUntilAsync("readinessProbe", StartPatience);
        var siloReady = clock.Elapsed;
        await gateway.WaitUntilAsync("readinessProbe", StartPatience);
        output.WriteLine($"first silo ready {siloReady.TotalSeconds:F1} s after its start (schema applied), the waiting gateway {clock.Elapsed.TotalSeconds:F1} s");

        var first = await ingest.TrackAsync(Batch("a", 40), Headers(ingestKey));
        Assert.Equal(40, first.Accepted);
        await WaitForEventCountAsync(query, readKey, 10);
        // Where the annotations send Prometheus: the gateway counted the batch, the silo committed it.
        Assert.Contains("productops_ingest_events_total{otel_scope_name=\"ProductOps.Gateway\",outcome=\"accepted\"} 40", await gateway.ScrapeAsync(), StringComparison.Ordinal);
        Assert.Contains("productops_log_committed_total{otel_scope_name=\"ProductOps.Pipeline\"} 40", await firstSilo.ScrapeAsync(), StringComparison.Ordinal);

        // Scale down: the kubelet's SIGTERM; the silo persists and leaves within the grace period.
        clock.Restart();
        var stopped = await firstSilo.Process.StopAsync(manifests.GracePeriodOf("productops-silo"));
        output.WriteLine($"first silo stopped {clock.Elapsed.TotalSeconds:F1} s after SIGTERM");
        Assert.Equal(0, stopped);
        await Polling.Until(async () => !await gateway.PassesAsync("readinessProbe"), StartPatience, () => "the gateway stays ready with no silo");
        Assert.True(await gateway.PassesAsync("livenessProbe"));
        var noSilo = await Assert.ThrowsAsync<RpcException>(async () => await ingest.TrackAsync(Batch("none", 1), Headers(ingestKey)));
        Assert.Equal(StatusCode.Unavailable, noSilo.StatusCode); // the client may retry with the same ids
        Assert.DoesNotContain("not reached the cluster yet", noSilo.Status.Detail, StringComparison.Ordinal); // it had
        // Neither unacknowledged event escapes the operator: the gateway counts both as failed.
        Assert.Contains("productops_ingest_events_total{otel_scope_name=\"ProductOps.Gateway\",outcome=\"failed\"} 2", await gateway.ScrapeAsync(), StringComparison.Ordinal);

        // Scale up again: a new silo, at a new pod address, serves what the first one acknowledged, and more.
        clock.Restart();
        await using var secondSilo = Pod.Start(manifests, image.Published, "productops-silo", secrets, podIp: "127.0.0.2");
        await secondSilo.WaitUntilAsync("readinessProbe", StartPatience);
        await gateway.WaitUntilAsync("readinessProbe", StartPatience);
        output.WriteLine($"the gateway ready again {clock.Elapsed.TotalSeconds:F1} s after the second silo started");
        var second = await ingest.TrackAsync(Batch("b", 40), Headers(ingestKey));
        Assert.Equal(40, second.Accepted);
        await WaitForEventCountAsync(query, readKey, 20);
        var demoKey = await Assert.ThrowsAsync<RpcException>(async () => await ingest.TrackAsync(Batch("c", 1), Headers("demo-ingest-key")));
        Assert.Equal(StatusCode.Unauthenticated, demoKey.StatusCode); // no demo tenant in a production pod

        // An admin switches the tenant to its event clock; a gateway that starts after that is
        // ready only once it has read the switch, so its first answer is already on that clock.
        await new AdminService.AdminServiceClient(channel).UpdateTenantSettingsAsync(
            new UpdateTenantSettingsRequest { Clock = TenantClockKind.Event }, Headers(adminKey));
        Assert.Equal(0, await gateway.Process.StopAsync(manifests.GracePeriodOf("productops-gateway")));
        clock.Restart();
        await using var restarted = Pod.Start(manifests, image.Published, "productops-gateway", secrets);
        await restarted.WaitUntilAsync("readinessProbe", StartPatience);
        output.WriteLine($"a gateway started with the cluster up ready in {clock.Elapsed.TotalSeconds:F1} s");
        using var restartedChannel = GrpcChannel.ForAddress($"http://127.0.0.1:{ServicePort(manifests, restarted)}");
        var firstAnswer = await new QueryService.QueryServiceClient(restartedChannel).GetUserAsync(new GetUserRequest { UserId = "u0" }, Headers(readKey));
        Assert.True(firstAnswer.AsOf.ToDateTimeOffset() < DateTimeOffset.UtcNow - TimeSpan.FromSeconds(30), $"as of {firstAnswer.AsOf}: the wall clock, not the latest event");
        Assert.Equal(0, await restarted.Process.StopAsync(manifests.GracePeriodOf("productops-gateway")));

        Assert.Equal(0, await secondSilo.Process.StopAsync(manifests.GracePeriodOf("productops-silo")));
        var password = new NpgsqlConnectionStringBuilder(database.ConnectionString).Password;
        Assert.False(string.IsNullOrEmpty(password), "the test database needs a password for the secrets check"); // tools/postgres.sh's role has one
        Assert.All(new[] { gateway, restarted, firstSilo, secondSilo }, pod => Assert.DoesNotContain(password, pod.Process.FullOutput, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GatewayPod_StoppedBeforeAnySiloJoined_ExitsCleanly()
    {
        await using var database = await TestDatabase.CreateAsync("deploy_stop");
        var secrets = Secrets(database, ("key-" + Guid.NewGuid().ToString("N"), "ingest"));
        var manifests = Manifests.Load();
        await using var gateway = Pod.Start(manifests, image.Published, "productops-gateway", secrets);
        await gateway.WaitUntilAsync("startupProbe", StartPatience);

        // A scale-down of a cluster that never came up: the kubelet's SIGTERM must not read as a crash.
        Assert.Equal(0, await gateway.Process.StopAsync(manifests.GracePeriodOf("productops-gateway")));
    }

    /// <summary>The image's files, published once for the class.</summary>
    public sealed class Image : IAsyncLifetime
    {
        public DockerImage Published { get; } = new();

        public Task InitializeAsync() => Published.PublishAsync();

        public Task DisposeAsync()
        {
            Published.Dispose();
            return Task.CompletedTask;
        }
    }

    /// <summary>The two Secrets deploy/README.md tells operators to create: the database's
    /// connection string, and tenant "acme"'s keys as SHA-256 digests with their scopes.</summary>
    private static Dictionary<string, IReadOnlyDictionary<string, string>> Secrets(TestDatabase database, params (string Key, string Scope)[] keys)
    {
        var tenants = new Dictionary<string, string>();
        for (var i = 0; i < keys.Length; i++)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"ProductOps__Tenants__acme__Keys__{i}__");
            tenants[prefix + "Sha256"] = KeyDigest.Of(keys[i].Key);
            tenants[prefix + "Scopes__0"] = keys[i].Scope;
        }

        return new()
        {
            ["productops-postgres"] = new Dictionary<string, string> { ["connection-string"] = database.ConnectionString },
            ["productops-tenants"] = tenants,
        };
    }

    /// <summary>The gateway pod's port behind the Service's target port.</summary>
    private static int ServicePort(Manifests manifests, Pod gateway) =>
        gateway.Port(manifests.Named("Service", "productops-gateway")["spec"]["ports"].Items.Single().Required("targetPort"));

    /// <summary><paramref name="count"/> events spread over four users, u0 to u3, a minute apart.</summary>
    private static TrackRequest Batch(string id, int count)
    {
        var now = DateTimeOffset.UtcNow;
        var request = new TrackRequest();
        for (var i = 0; i < count; i++)
        {
            request.Events.Add(new Event
            {
                UserId = $"u{i % 4}",
                EventId = $"{id}-{i}",
                Name = "feature_used",
                Feature = "search",
                Timestamp = Timestamp.FromDateTimeOffset(now - TimeSpan.FromMinutes(i + 1)),
            });
        }

        return request;
    }

    private static async Task WaitForEventCountAsync(QueryService.QueryServiceClient query, string readKey, long expected) =>
        await Polling.Eventually(async () =>
        {
            var user = await query.GetUserAsync(new GetUserRequest { UserId = "u0" }, Headers(readKey));
            Assert.Equal(expected, user.EventCount);
        }, StartPatience);

    private static Metadata Headers(string apiKey) => new() { { "x-api-key", apiKey } };
}
