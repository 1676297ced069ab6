namespace ProductOps.Client.Tests;

/// <summary>Client options for tests: quick retries and flushes, so a test's failures and
/// retries take milliseconds.</summary>
internal static class TestClientOptions
{
    public static ProductOpsClientOptions For(Uri address) => new()
    {
        Address = address,
        ApiKey = "test-key",
        InitialRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(20),
        FlushInterval = TimeSpan.FromMilliseconds(10),
    };
}
