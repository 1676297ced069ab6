namespace ProductOps.Churn;

/// <summary>The history does not hold enough examples to train a churn model; the message says
/// what is missing.</summary>
public sealed class NotEnoughDataException : Exception
{
    public NotEnoughDataException()
    {
    }

    public NotEnoughDataException(string message)
        : base(message)
    {
    }

    public NotEnoughDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
