namespace ProductOps.Grains.Abstractions;

/// <summary>A reader of the at-risk feed may have missed alerts: it fell further behind than the
/// feed holds, or the feed it read was lost with its silo. Thrown rather than handing it the rest,
/// which would read as if nothing had been missed.</summary>
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
