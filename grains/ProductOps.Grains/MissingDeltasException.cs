namespace ProductOps.Grains;

/// <summary>A partition asked a user grain for the deltas of an event the grain applied before the
/// partition's checkpoint: the pipeline's bookkeeping is broken, and guessing would corrupt counts.</summary>
[GenerateSerializer, Alias("productops.missing-deltas-exception")]
public sealed class MissingDeltasException : Exception
{
    public MissingDeltasException()
    {
    }

    public MissingDeltasException(string message)
        : base(message)
    {
    }

    public MissingDeltasException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
