using Grpc.Core;
using ProductOps.Grains.Abstractions.Tenancy;

namespace ProductOps.Gateway.Auth;

/// <summary>The authorised caller of the current call, set by <see cref="ApiKeyInterceptor"/>.</summary>
public static class CallerContext
{
    private const string Key = "productops.grant";

    public static void Set(ServerCallContext context, ApiKeyGrant grant) => context.UserState[Key] = grant;

    /// <summary>The caller's tenant; every service method runs behind the interceptor.</summary>
    public static string TenantOf(ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var grant) && grant is ApiKeyGrant g
            ? g.Tenant
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "the call was not authenticated"));
}
