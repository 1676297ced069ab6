namespace ProductOps.Grains.Abstractions;

/// <summary>A reader of the at-risk feed fell further behind than the feed holds: the alerts after
/// its place were dropped before it read them. Thrown rather than handing it the rest, which would
/// read as if nothing had been missed.</summary>
[GenerateSerializer, Alias("productops.at-risk-alerts-missed-exception")]
public sealed class AtRiskAlertsMissedException : Exception
{
    public AtRiskAlertsMissedException()
    {
    }

    public AtRiskAlertsMissedException(string message)
        : base(message)
    {
    }

    public AtRiskAlertsMissedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
