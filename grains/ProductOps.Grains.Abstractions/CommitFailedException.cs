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
}
