namespace ProductOps.Storage;

/// <summary>Another writer committed to the partition since this one read its head; the commit
/// was rolled back. The writer must reload the head before it writes again.</summary>
[GenerateSerializer, Alias("productops.log-fenced-exception")]
public sealed class LogFencedException : Exception
{
    public LogFencedException()
    {
    }

    public LogFencedException(string message)
        : base(message)
    {
    }

    public LogFencedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
