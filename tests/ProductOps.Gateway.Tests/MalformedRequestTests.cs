using System.Text;
using Google.Protobuf;
using Grpc.Core;
using ProductOps.Contracts.V1;
using static ProductOps.Gateway.Tests.EventFactory;
using static ProductOps.Gateway.Tests.Rejections;

namespace ProductOps.Gateway.Tests;

/// <summary>Request bytes that protobuf's parser refuses, on every service but Track (whose own
/// reader has its tests in <see cref="ValidationTests"/>): InvalidArgument on the field at fault,
/// after authentication, and no error in the node's log.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class MalformedRequestTests(SiloFixture node)
{
    private static readonly byte[] CutShort = [0x61, 0xC3]; // "a" and the first byte of a two-byte sequence
    private static readonly Metadata Admin = DemoTenant.Headers(DemoTenant.AdminKey);

    [Fact]
    public async Task GetUser_TruncatedRequest_InvalidArgumentOnRequest()
    {
        var request = new GetUserRequest { UserId = "someone" }.ToByteArray()[..^3];

        var error = await Assert.ThrowsAsync<RpcException>(() => RawCalls.UnaryAsync(node.Silo.Channel, "QueryService", "GetUser", request, DemoTenant.Read));

        AssertInvalid(error, "request", "is not a valid protobuf message: a length past the end of its message at byte 1");
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task GetUser_UserIdNotUtf8_InvalidArgumentOnUserId()
    {
        var request = Message((1, CutShort));

        var error = await Assert.ThrowsAsync<RpcException>(() => RawCalls.UnaryAsync(node.Silo.Channel, "QueryService", "GetUser", request, DemoTenant.Read));

        AssertInvalid(error, "user_id", "is not valid UTF-8");
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task GetUser_TruncatedRequestWithoutApiKey_Unauthenticated()
    {
        var request = new GetUserRequest { UserId = "someone" }.ToByteArray()[..^3];

        var error = await Assert.ThrowsAsync<RpcException>(() => RawCalls.UnaryAsync(node.Silo.Channel, "QueryService", "GetUser", request, new Metadata()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task Identify_TraitValueNotUtf8_InvalidArgumentOnTraitsAndNothingStored()
    {
        var user = Prefix("identify-utf8");
        var trait = Message((1, Encoding.UTF8.GetBytes("plan")), (2, CutShort));
        var request = Message((1, Encoding.UTF8.GetBytes("i1")), (2, Encoding.UTF8.GetBytes(user)), (3, trait));

        var error = await Assert.ThrowsAsync<RpcException>(() => RawCalls.UnaryAsync(node.Silo.Channel, "IngestService", "Identify", request, DemoTenant.Ingest));

        AssertInvalid(error, "traits", "is not valid UTF-8");
        await AssertNoUserAsync(node, user);
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task Identify_UserIdNotUtf8_InvalidArgumentOnUserId()
    {
        var request = Message((1, Encoding.UTF8.GetBytes("i1")), (2, CutShort), (3, Message((1, Encoding.UTF8.GetBytes("plan")), (2, Encoding.UTF8.GetBytes("pro")))));

        var error = await Assert.ThrowsAsync<RpcException>(() => RawCalls.UnaryAsync(node.Silo.Channel, "IngestService", "Identify", request, DemoTenant.Ingest));

        AssertInvalid(error, "user_id", "is not valid UTF-8");
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task Identify_TruncatedRequest_InvalidArgumentOnRequestAndNothingStored()
    {
        var user = Prefix("identify-cut");
        var request = new IdentifyRequest { EventId = "i1", UserId = user, Traits = { ["plan"] = "pro" } }.ToByteArray()[..^2];

        var error = await Assert.ThrowsAsync<RpcException>(() => RawCalls.UnaryAsync(node.Silo.Channel, "IngestService", "Identify", request, DemoTenant.Ingest));

        AssertInvalid(error, "request", "is not a valid protobuf message");
        await AssertNoUserAsync(node, user);
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task WatchAtRisk_TruncatedRequest_InvalidArgumentOnRequest()
    {
        byte[] request = [0x0A, 0x05, 0x61]; // an unknown field 1 of 5 bytes, cut after one

        var error = await Assert.ThrowsAsync<RpcException>(() => RawCalls.ServerStreamingFirstAsync(node.Silo.Channel, "QueryService", "WatchAtRisk", request, DemoTenant.Read));

        AssertInvalid(error, "request", "is not a valid protobuf message: a length past the end of its message at byte 1");
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task UpdateTenantSettings_ChurnEventNameNotUtf8_InvalidArgumentOnChurnEventsAndNothingChanged()
    {
        var admin = new AdminService.AdminServiceClient(node.Silo.Channel);
        var before = await admin.GetTenantSettingsAsync(new GetTenantSettingsRequest(), Admin);
        var request = Message((3, Message((1, CutShort))));

        var error = await Assert.ThrowsAsync<RpcException>(() => RawCalls.UnaryAsync(node.Silo.Channel, "AdminService", "UpdateTenantSettings", request, Admin));

        AssertInvalid(error, "churn_events", "is not valid UTF-8");
        Assert.Equal(before, await admin.GetTenantSettingsAsync(new GetTenantSettingsRequest(), Admin));
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task GetModel_TruncatedRequest_InvalidArgumentOnRequest()
    {
        byte[] request = [0x08]; // field 1, a varint, with no varint

        var error = await Assert.ThrowsAsync<RpcException>(() => RawCalls.UnaryAsync(node.Silo.Channel, "AdminService", "GetModel", request, Admin));

        AssertInvalid(error, "request", "is not a valid protobuf message: a truncated varint at byte 1");
        AssertNoErrorLogged();
    }

    /// <summary>No error-level entry of ASP.NET Core's gRPC ("Error when executing service method")
    /// in everything the node logged: a malformed request is the caller's fault, not the server's.</summary>
    private void AssertNoErrorLogged()
    {
        var log = node.Silo.FullOutput;
        Assert.DoesNotContain("Error when executing service method", log, StringComparison.Ordinal);
        Assert.DoesNotContain("fail: Grpc.", log, StringComparison.Ordinal);
    }

    private static byte[] Message(params (int Field, byte[] Bytes)[] fields) => RawCalls.Message(fields);
}
