namespace ProductOps.Storage;

/// <summary>A process is configured with another partition count than its data set was written
/// with; it refuses to start rather than route events to the wrong partitions.</summary>
public sealed class PartitionCountMismatchException : InvalidOperationException
{
    public PartitionCountMismatchException()
    {
    }

    public PartitionCountMismatchException(string message)
        : base(message)
    {
    }

    public PartitionCountMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
