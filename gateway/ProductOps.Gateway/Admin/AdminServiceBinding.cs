using Google.Protobuf.Reflection;
using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Admin;

/// <summary>The generated AdminService binding, with request deserializers that never throw
/// (<see cref="MalformedRequests"/>). ASP.NET Core's gRPC finds <see cref="Bind"/> through the
/// attribute on <see cref="AdminGrpcService"/>, and reflection the <see cref="Descriptor"/>.</summary>
public static class AdminServiceBinding
{
    /// <summary>The service's schema, which the reflection service reads from here.</summary>
    public static ServiceDescriptor Descriptor => AdminService.Descriptor;

    /// <summary>Called by ASP.NET Core's gRPC to find the methods, with no instance: each call gets its own.
    /// The parameter is the generated base class, whose methods ASP.NET Core matches the implementation's against.</summary>
    public static void Bind(ServiceBinderBase binder, AdminService.AdminServiceBase? service) =>
        AdminService.BindService(new TolerantRequestBinder(binder), service);
}
