using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Gateway.Tests;

/// <summary>What a refused request looks like to a client, and that it left nothing behind.</summary>
internal static class Rejections
{
    /// <summary>InvalidArgument naming <paramref name="field"/> in its trailer and first in its detail, with <paramref name="detail"/> in it.</summary>
    public static void AssertInvalid(RpcException error, string field, string detail)
    {
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, error.Trailers.GetValue("field"));
        Assert.StartsWith($"{field}: ", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(detail, error.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>The node knows no events of <paramref name="user"/>.</summary>
    public static async Task AssertNoUserAsync(SiloFixture node, string user)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await node.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Read));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }
}
