using Grpc.Core;

namespace ProductOps.Gateway.Errors;

/// <summary>Passes a service's methods on to ASP.NET Core's binder with request deserializers
/// that never throw (<see cref="MalformedRequests"/>); everything else is as bound.</summary>
internal sealed class TolerantRequestBinder(ServiceBinderBase inner) : ServiceBinderBase
{
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(MalformedRequests.Tolerate(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(MalformedRequests.Tolerate(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(MalformedRequests.Tolerate(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(MalformedRequests.Tolerate(method), handler);
}
