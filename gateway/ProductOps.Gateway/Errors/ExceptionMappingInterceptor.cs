using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Errors;

/// <summary>The one place exceptions become gRPC statuses. Unexpected errors are logged and
/// reported as Internal without their details; a call whose caller went away ends Cancelled,
/// whatever failed under it. What a failure tells the caller to do depends on the call
/// (<see cref="FailureAdvice"/>).</summary>
public sealed partial class ExceptionMappingInterceptor(ILogger<ExceptionMappingInterceptor> logger, IClusterConnection cluster, IHostApplicationLifetime lifetime) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    private RpcException Map(Exception e, ServerCallContext context)
    {
        switch (e)
        {
            case RequestValidationException invalid:
                return new RpcException(new Status(StatusCode.InvalidArgument, invalid.Message), Field(invalid.Failure.Field));
            case NotFoundException notFound:
                return new RpcException(new Status(StatusCode.NotFound, notFound.Message), Field(notFound.Field));
            case FailedPreconditionException precondition:
                return new RpcException(
                    new Status(StatusCode.FailedPrecondition, precondition.Message), precondition.Field is { } field ? Field(field) : new Metadata());
            case OverloadedException overloaded:
                return new RpcException(new Status(StatusCode.ResourceExhausted, overloaded.Message));
            case AtRiskAlertsMissedException missed:
                // Aborted: retry at a higher level, not the call alone (the alerts are gone from the feed).
                return new RpcException(new Status(StatusCode.Aborted, $"{missed.Message}; watch again, and read ListAtRiskUsers for who is at risk now"));
            case Exception when context.CancellationToken.IsCancellationRequested:
                // The caller went away (or its deadline passed): whatever failed then, a stream's
                // write most often ("the request is complete"), failed for that reason.
                return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
            case OperationCanceledException when lifetime.ApplicationStopping.IsCancellationRequested:
                // An open-ended stream this process ended to stop: the caller carries on elsewhere.
                return new RpcException(new Status(StatusCode.Unavailable, FailureAdvice.Stopping(context.Method)));
            case Exception when !cluster.IsConnected:
                return new RpcException(new Status(StatusCode.Unavailable, "this gateway has not reached the cluster yet; retry"));
            case Exception when StoreCauseOf(e) is { } cause:
                // The store itself failed (a full disk, a corrupt file): saying so tells the
                // operator behind the caller what to fix, where "briefly unavailable" would not.
                LogStoreFailed(logger, e, context.Method);
                return new RpcException(new Status(StatusCode.Unavailable, FailureAdvice.StoreFailed(context.Method, cause)));
            case CommitFailedException:
            case Exception when ClusterFailures.IsTransient(e):
                LogUnavailable(logger, e, context.Method);
                return new RpcException(new Status(StatusCode.Unavailable, FailureAdvice.ClusterUnavailable(context.Method)));
            default:
                LogUnexpected(logger, e, context.Method);
                return new RpcException(new Status(StatusCode.Internal, FailureAdvice.Unexpected(context.Method)));
        }
    }

    private static Metadata Field(string field) => new() { { "field", field } };

    /// <summary>What the event log said went wrong under a commit or a grain's read; null for any
    /// other failure.</summary>
    private static string? StoreCauseOf(Exception e) => e switch
    {
        CommitFailedException failed => failed.Cause,
        LogReadFailedException failed => failed.Cause,
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method}: cluster unavailable")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string method);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method}: the event log failed")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string method);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} failed")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method);
}
