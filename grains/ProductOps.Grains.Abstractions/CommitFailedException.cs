namespace ProductOps.Grains.Abstractions;

/// <summary>A partition could not commit a batch (its event log failed or another writer took
/// over): nothing of it was acknowledged, and a retry with the same event ids is safe. Carries the
/// cause as text, since storage drivers' exceptions cannot cross the wire.</summary>
[GenerateSerializer, Alias("productops.commit-failed-exception")]
public sealed class CommitFailedException : Exception
{
    public CommitFailedException()
    {
    }

    public CommitFailedException(string message)
        : base(message)
    {
    }

    public CommitFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A failure whose cause the caller may be told (no path, host or secret in it).</summary>
    public CommitFailedException(string message, string cause)
        : base(message)
    {
        Cause = cause;
    }

    /// <summary>What the store said went wrong, fit for the caller's answer ("partition 3's log
    /// file: the disk is full"); null when only the silo's log should say.</summary>
    [Id(0)]
    public string? Cause { get; init; }
}
