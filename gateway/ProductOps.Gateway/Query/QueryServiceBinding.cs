using Google.Protobuf.Reflection;
using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Query;

/// <summary>The generated QueryService binding, with request deserializers that never throw
/// (<see cref="MalformedRequests"/>). ASP.NET Core's gRPC finds <see cref="Bind"/> through the
/// attribute on <see cref="QueryGrpcService"/>, and reflection the <see cref="Descriptor"/>.</summary>
public static class QueryServiceBinding
{
    /// <summary>The service's schema, which the reflection service reads from here.</summary>
    public static ServiceDescriptor Descriptor => QueryService.Descriptor;

    /// <summary>Called by ASP.NET Core's gRPC to find the methods, with no instance: each call gets its own.
    /// The parameter is the generated base class, whose methods ASP.NET Core matches the implementation's against.</summary>
    public static void Bind(ServiceBinderBase binder, QueryService.QueryServiceBase? service) =>
        QueryService.BindService(new TolerantRequestBinder(binder), service);
}
