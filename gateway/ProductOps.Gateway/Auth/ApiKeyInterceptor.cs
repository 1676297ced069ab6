using Grpc.Core;
using Grpc.Core.Interceptors;
using ProductOps.Grains.Abstractions.Tenancy;

namespace ProductOps.Gateway.Auth;

/// <summary>
/// Authorises every call by tenant and scope: the `x-api-key` header names a key, the key a
/// tenant and scopes; each service needs one scope. An optional `x-tenant` header must match the
/// key's tenant. Only server reflection is open, so tools can discover the API.
/// </summary>
public sealed class ApiKeyInterceptor(TenantDirectory tenants) : Interceptor
{
    public const string ApiKeyHeader = "x-api-key";
    public const string TenantHeader = "x-tenant";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorise(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorise(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorise(context);
        return continuation(requestStream, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorise(context);
        return continuation(requestStream, context);
    }

    private void Authorise(ServerCallContext context)
    {
        var service = ServiceOf(context.Method);
        if (service.StartsWith("grpc.reflection.", StringComparison.Ordinal))
        {
            return;
        }

        var required = service switch
        {
            "productops.v1.IngestService" => ApiScope.Ingest,
            "productops.v1.QueryService" => ApiScope.Read,
            "productops.v1.AdminService" => ApiScope.Admin,
            _ => throw new RpcException(new Status(StatusCode.PermissionDenied, $"no key may call {service}")),
        };

        var key = context.RequestHeaders.GetValue(ApiKeyHeader);
        if (string.IsNullOrEmpty(key))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"the {ApiKeyHeader} header is missing"));
        }

        if (!tenants.TryAuthenticate(key, out var grant))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"the {ApiKeyHeader} header does not name a known key"));
        }

        if (!grant.Allows(required))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"this key lacks the '{required.ToString().ToLowerInvariant()}' scope"));
        }

        var tenant = context.RequestHeaders.GetValue(TenantHeader);
        if (!string.IsNullOrEmpty(tenant) && tenant != grant.Tenant)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"this key does not belong to tenant '{tenant}'"));
        }

        CallerContext.Set(context, grant);
    }

    private static string ServiceOf(string method)
    {
        // "/package.Service/Method"
        var end = method.LastIndexOf('/');
        return end > 1 ? method[1..end] : method;
    }
}
