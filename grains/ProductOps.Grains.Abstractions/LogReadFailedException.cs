namespace ProductOps.Grains.Abstractions;

/// <summary>A grain could not read the event log it catches up from (its partition's file corrupt,
/// PostgreSQL away): the answer it was asked for cannot be built until the log reads again.
/// Carries the cause as text, since storage drivers' exceptions cannot cross the wire.</summary>
[GenerateSerializer, Alias("productops.log-read-failed-exception")]
public sealed class LogReadFailedException : Exception
{
    public LogReadFailedException()
    {
    }

    public LogReadFailedException(string message)
        : base(message)
    {
    }

    public LogReadFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A failure whose cause the caller may be told (no path, host or secret in it).</summary>
    public LogReadFailedException(string message, string cause)
        : base(message)
    {
        Cause = cause;
    }

    /// <summary>What the store said went wrong, fit for the caller's answer ("partition 3's log
    /// file: the file is corrupt").</summary>
    [Id(0)]
    public string? Cause { get; init; }
}
