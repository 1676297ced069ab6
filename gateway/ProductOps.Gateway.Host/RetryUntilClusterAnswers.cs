namespace ProductOps.Gateway.Host;

/// <summary>
/// Keeps the gateway's Orleans client trying to reach the cluster for as long as the process
/// runs, instead of failing the process: a gateway started before any silo (a whole cluster
/// started at once, PostgreSQL's schema not there yet) serves as soon as the first silo joins,
/// with no crash loop and its back-off in between. Until then /livez answers and /healthz does not.
/// </summary>
internal sealed partial class RetryUntilClusterAnswers(ILogger<RetryUntilClusterAnswers> logger) : IClientConnectionRetryFilter
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(2);

    private int _attempts;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var attempt = ++_attempts;
        if (attempt == 1 || attempt % 15 == 0) // every 30 s: enough to see it, not a flood
        {
            NotReachable(logger, attempt, exception.GetType().Name, exception.Message);
        }

        await Task.Delay(Pause, cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cluster is not reachable yet (attempt {Attempt}): {ErrorType}: {Error}. Retrying every 2 s.")]
    private static partial void NotReachable(ILogger logger, int attempt, string errorType, string error);
}
