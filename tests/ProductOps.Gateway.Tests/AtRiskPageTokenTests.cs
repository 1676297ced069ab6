using System.Text;
using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Gateway.Tests;

/// <summary>ListAtRiskUsers page tokens the service never issued: its own form, base64url of
/// "1|probability|user id", with a position no listed user can have.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class AtRiskPageTokenTests(SiloFixture node)
{
    [Theory]
    [InlineData("NaN", 1)]
    [InlineData("Infinity", 1)]
    [InlineData("1.5", 1)]
    [InlineData("-0.5", 1)]
    [InlineData("0.5", 0)]
    [InlineData("0.5", 1_000_000)] // passed on to every shard of the tenant, were it taken
    public async Task ListAtRiskUsers_ForgedPosition_InvalidArgumentOnPageToken(string probability, int userIdLength)
    {
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"1|{probability}|{new string('u', userIdLength)}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await node.Query.ListAtRiskUsersAsync(new ListAtRiskUsersRequest { PageToken = token }, DemoTenant.Read));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("page_token", error.Trailers.GetValue("field"));
    }
}
