using Grpc.Core;
using Grpc.Reflection.V1;
using ProductOps.Contracts.V1;
using ProductOps.Testing;
using static ProductOps.Gateway.Tests.EventFactory;

namespace ProductOps.Gateway.Tests;

/// <summary>API keys, scopes and the x-tenant header on every service; reflection open to all.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class AuthTests(SiloFixture node)
{
    [Fact]
    public async Task Track_NoApiKey_Unauthenticated() =>
        await AssertStatusAsync(StatusCode.Unauthenticated, async () => await node.Ingest.TrackAsync(OneEvent(), new Metadata()));

    [Fact]
    public async Task Track_UnknownApiKey_Unauthenticated() =>
        await AssertStatusAsync(StatusCode.Unauthenticated, async () => await node.Ingest.TrackAsync(OneEvent(), DemoTenant.Headers("not-a-key")));

    [Fact]
    public async Task Track_ReadKey_PermissionDenied() =>
        await AssertStatusAsync(StatusCode.PermissionDenied, async () => await node.Ingest.TrackAsync(OneEvent(), DemoTenant.Read));

    [Fact]
    public async Task Identify_ReadKey_PermissionDenied()
    {
        var identify = new IdentifyRequest { EventId = "i1", UserId = Prefix("auth"), Traits = { ["plan"] = "free" } };
        await AssertStatusAsync(StatusCode.PermissionDenied, async () => await node.Ingest.IdentifyAsync(identify, DemoTenant.Read));
    }

    [Fact]
    public async Task TrackStream_NoApiKey_Unauthenticated()
    {
        // The call is refused on its headers alone. Writing first would race the refusal: a write
        // into a call the server already ended makes the client cancel it, hiding the status.
        using var call = node.Ingest.TrackStream(new Metadata());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task TrackStream_ReadKey_PermissionDenied()
    {
        using var call = node.Ingest.TrackStream(DemoTenant.Read);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task WatchOverviewAndWatchFeature_IngestKey_PermissionDenied()
    {
        using var overview = node.Query.WatchOverview(new WatchOverviewRequest(), DemoTenant.Ingest);
        using var feature = node.Query.WatchFeature(new WatchFeatureRequest { View = new GetFeatureRequest { Feature = "search" } }, DemoTenant.Ingest);

        var overviewError = await Assert.ThrowsAsync<RpcException>(() => overview.ResponseStream.MoveNext(CancellationToken.None));
        var featureError = await Assert.ThrowsAsync<RpcException>(() => feature.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal((StatusCode.PermissionDenied, StatusCode.PermissionDenied), (overviewError.StatusCode, featureError.StatusCode));
    }

    [Fact]
    public async Task GetUser_IngestKey_PermissionDenied() =>
        await AssertStatusAsync(StatusCode.PermissionDenied, async () => await node.Query.GetUserAsync(new GetUserRequest { UserId = "u" }, DemoTenant.Ingest));

    [Fact]
    public async Task GetOverview_NoApiKey_Unauthenticated() =>
        await AssertStatusAsync(StatusCode.Unauthenticated, async () => await node.Query.GetOverviewAsync(new GetOverviewRequest(), new Metadata()));

    [Fact]
    public async Task ListFeatures_IngestKey_PermissionDenied() =>
        await AssertStatusAsync(StatusCode.PermissionDenied, async () => await node.Query.ListFeaturesAsync(new ListFeaturesRequest(), DemoTenant.Ingest));

    [Fact]
    public async Task Track_TenantHeaderOfAnotherTenant_PermissionDenied() =>
        await AssertStatusAsync(StatusCode.PermissionDenied, async () => await node.Ingest.TrackAsync(OneEvent(), DemoTenant.Headers(DemoTenant.IngestKey, "acme")));

    [Fact]
    public async Task GetOverview_TenantHeaderOfAnotherTenant_PermissionDenied() =>
        await AssertStatusAsync(StatusCode.PermissionDenied, async () => await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Headers(DemoTenant.AdminKey, "acme")));

    [Fact]
    public async Task TrackAndGetUser_KeysWithTheRightScopeAndTenant_Succeed()
    {
        var request = OneEvent();
        var user = request.Events[0].UserId;

        var tracked = await node.Ingest.TrackAsync(request, DemoTenant.Headers(DemoTenant.IngestKey, DemoTenant.Id));
        var byAdmin = await node.Ingest.TrackAsync(OneEvent(user, "e2"), DemoTenant.Headers(DemoTenant.AdminKey));

        Assert.Equal((1, 1), (tracked.Accepted, byAdmin.Accepted));
        await Polling.Eventually(async () =>
        {
            var read = await node.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Headers(DemoTenant.ReadKey, DemoTenant.Id));
            var readByAdmin = await node.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Headers(DemoTenant.AdminKey, DemoTenant.Id));
            Assert.Equal((2, 2), (read.EventCount, readByAdmin.EventCount));
        }, Polling.DefaultTimeout, () => node.Silo.Output);
    }

    [Fact]
    public async Task ServerReflection_NoApiKey_ListsTheServices()
    {
        var reflection = new ServerReflection.ServerReflectionClient(node.Silo.Channel);
        using var call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("productops.v1.IngestService", services);
        Assert.Contains("productops.v1.QueryService", services);
    }

    private static TrackRequest OneEvent(string? user = null, string eventId = "e1") => new()
    {
        BatchId = "auth",
        Events = { Event(user ?? Prefix("auth"), eventId, "feature_used", DateTimeOffset.UtcNow.AddMinutes(-1)) },
    };

    private static async Task AssertStatusAsync(StatusCode expected, Func<Task> call)
    {
        // A call that never reached the server (a connection reset on a loaded machine shows as
        // Unknown or Unavailable) says nothing about auth: try again, a few times at most. A
        // server that answers wrongly answers wrongly every time.
        var error = await Assert.ThrowsAsync<RpcException>(call);
        for (var attempt = 1; attempt < 3 && error.StatusCode is StatusCode.Unknown or StatusCode.Unavailable && expected != error.StatusCode; attempt++)
        {
            await Task.Delay(200);
            error = await Assert.ThrowsAsync<RpcException>(call);
        }

        Assert.True(expected == error.StatusCode, $"expected {expected}, got {error.Status}");
    }
}
