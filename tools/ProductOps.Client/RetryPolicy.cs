using Grpc.Core;

namespace ProductOps.Client;

/// <summary>Which failures are worth another attempt, and how long to wait before it.</summary>
internal sealed class RetryPolicy(int maxRetries, TimeSpan initialDelay, TimeSpan maxDelay)
{
    public int MaxRetries => maxRetries;

    /// <summary>Transport errors and the statuses of an overloaded or restarting server. A resent batch
    /// keeps its event ids, so the server deduplicates what it had already written.</summary>
    public static bool IsRetryable(Exception failure) => failure switch
    {
        RpcException rpc when IsOverMessageSize(rpc) => false,
        RpcException rpc => IsRetryable(rpc.StatusCode),
        HttpRequestException or IOException => true,
        _ => false,
    };

    /// <summary>Cancelled counts too: the client's own cancellations surface as
    /// OperationCanceledException, so a Cancelled status means the server or a proxy dropped the call.</summary>
    public static bool IsRetryable(StatusCode status) => status is StatusCode.Unavailable
        or StatusCode.ResourceExhausted
        or StatusCode.Internal
        or StatusCode.DeadlineExceeded
        or StatusCode.Aborted
        or StatusCode.Cancelled;

    /// <summary>gRPC refuses a message far over the server's size limit with ResourceExhausted, unread:
    /// the same request would be refused again, so it is not the "back off" kind.</summary>
    private static bool IsOverMessageSize(RpcException rpc) =>
        rpc.StatusCode == StatusCode.ResourceExhausted
        && rpc.Status.Detail.Contains("exceeds the maximum configured message size", StringComparison.OrdinalIgnoreCase);

    /// <summary>Exponential backoff with jitter (half to all of the step), so many clients that lost
    /// the same server do not return in lockstep.</summary>
    /// <param name="retry">1 for the first retry.</param>
    public TimeSpan DelayBefore(int retry)
    {
        var step = initialDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(retry - 1, 0, 30));
        var capped = Math.Min(step, maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (0.5 * Random.Shared.NextDouble())));
    }
}
