using Grpc.Core;

namespace ProductOps.Client.Tests;

public sealed class RetryPolicyTests
{
    [Theory]
    [InlineData(StatusCode.Unavailable, true)]
    [InlineData(StatusCode.ResourceExhausted, true)]
    [InlineData(StatusCode.Internal, true)]
    [InlineData(StatusCode.DeadlineExceeded, true)]
    [InlineData(StatusCode.InvalidArgument, false)]
    [InlineData(StatusCode.Unauthenticated, false)]
    [InlineData(StatusCode.PermissionDenied, false)]
    [InlineData(StatusCode.NotFound, false)]
    public void IsRetryable_Status_MatchesPolicy(StatusCode status, bool expected)
    {
        Assert.Equal(expected, RetryPolicy.IsRetryable(new RpcException(new Status(status, "test"))));
    }

    [Fact]
    public void IsRetryable_MessageOverTheServersSizeCeiling_IsNotRetried()
    {
        var refused = new RpcException(new Status(StatusCode.ResourceExhausted,
            "Received message exceeds the maximum configured message size."));

        Assert.False(RetryPolicy.IsRetryable(refused));
    }

    [Fact]
    public void IsRetryable_TransportErrors_AreRetried()
    {
        Assert.True(RetryPolicy.IsRetryable(new HttpRequestException("connection refused")));
        Assert.True(RetryPolicy.IsRetryable(new IOException("connection reset")));
        Assert.False(RetryPolicy.IsRetryable(new InvalidOperationException()));
    }

    [Fact]
    public void DelayBefore_SuccessiveRetries_GrowThenStayCapped()
    {
        var policy = new RetryPolicy(10, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));

        Assert.InRange(policy.DelayBefore(1), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100));
        Assert.InRange(policy.DelayBefore(3), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400));
        Assert.InRange(policy.DelayBefore(10), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.InRange(policy.DelayBefore(1_000), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
    }
}
