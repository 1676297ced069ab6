namespace ProductOps.Storage;

/// <summary>The partition count a data set was written with, as its store knows it.</summary>
/// <param name="Count">The recorded count, or the least count the log allows (see <paramref name="AtLeast"/>).</param>
/// <param name="AtLeast">No count was recorded (a data set from an earlier build), and its log holds
/// partition <c>Count - 1</c>: it was written with at least <paramref name="Count"/> partitions.</param>
public readonly record struct RecordedPartitions(int Count, bool AtLeast)
{
    /// <summary>Throws <see cref="PartitionCountMismatchException"/>, naming the setting, the data
    /// set's count and the configured one, when <paramref name="configured"/> is not the data set's.</summary>
    public void Verify(string setting, int configured, string location)
    {
        if (AtLeast)
        {
            throw new PartitionCountMismatchException(
                $"{setting} is {configured}, but this data set's event log ({location}) already holds partition {Count - 1}: it was written with at least {Count} partitions. "
                + $"The partition count is fixed for the life of a data set: set {setting} to the count it was written with, or start on a new data set.");
        }

        if (Count != configured)
        {
            throw new PartitionCountMismatchException(
                $"{setting} is {configured}, but this data set was created with {Count} partitions (recorded in {location}). "
                + $"The partition count is fixed for the life of a data set: set {setting} to {Count}, or start on a new data set.");
        }
    }
}
