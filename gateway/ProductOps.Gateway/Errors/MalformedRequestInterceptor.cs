using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ProductOps.Gateway.Errors;

/// <summary>Answers a request whose bytes did not parse (<see cref="MalformedRequests"/>) with
/// InvalidArgument on the field at fault. Registered after authentication, so a caller without a
/// valid key learns nothing but that; the exception mapping turns the failure into the status.</summary>
public sealed class MalformedRequestInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(request);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(request);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        continuation(new CheckedReader<TRequest>(requestStream), context);

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        continuation(new CheckedReader<TRequest>(requestStream), responseStream, context);

    private static void Check(object request)
    {
        if (MalformedRequests.FailureOf(request) is { } failure)
        {
            throw new RequestValidationException(failure);
        }
    }

    /// <summary>A stream's messages, each checked as it is read: the stream fails at the first malformed one.</summary>
    private sealed class CheckedReader<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await inner.MoveNext(cancellationToken))
            {
                return false;
            }

            Check(inner.Current!);
            return true;
        }
    }
}
