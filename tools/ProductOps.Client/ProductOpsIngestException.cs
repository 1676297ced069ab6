using Grpc.Core;

namespace ProductOps.Client;

/// <summary>Ingestion failed for good: the server refused the call (bad key, missing scope, invalid
/// batch) or stayed unreachable through every retry.</summary>
public sealed class ProductOpsIngestException : Exception
{
    public ProductOpsIngestException()
    {
    }

    public ProductOpsIngestException(string message)
        : base(message)
    {
    }

    public ProductOpsIngestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private ProductOpsIngestException(string message, StatusCode statusCode, string? batchId, int attempts,
        Exception innerException)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        BatchId = batchId;
        Attempts = attempts;
    }

    /// <summary>The gRPC status of the last failure; <see cref="StatusCode.Unavailable"/> for transport errors.</summary>
    public StatusCode StatusCode { get; } = StatusCode.Unknown;

    /// <summary>The batch that failed, when one did.</summary>
    public string? BatchId { get; }

    /// <summary>How many times it was sent.</summary>
    public int Attempts { get; }

    /// <summary>The same failure, thrown again from a new place (a client's fault is reported on every
    /// later call).</summary>
    internal ProductOpsIngestException Again() => new(Message, StatusCode, BatchId, Attempts, this);

    internal static ProductOpsIngestException From(Exception failure, string? batchId, int attempts)
    {
        var status = failure is RpcException rpc ? rpc.StatusCode : StatusCode.Unavailable;
        var detail = failure is RpcException r ? r.Status.Detail : failure.Message;
        var hint = status switch
        {
            StatusCode.Unauthenticated => "The API key was not accepted.",
            StatusCode.PermissionDenied => "The API key lacks the 'ingest' scope.",
            StatusCode.InvalidArgument => "The server refused the request as invalid.",
            _ when RetryPolicy.IsRetryable(failure) || failure is OperationCanceledException =>
                $"Gave up after {attempts} attempt(s).",
            _ => "The call cannot be retried.",
        };
        var batch = batchId is null ? string.Empty : $" (batch {batchId})";
        return new ProductOpsIngestException($"Ingestion failed{batch}: {status}: {detail.TrimEnd('.')}. {hint}", status, batchId,
            attempts, failure);
    }
}
