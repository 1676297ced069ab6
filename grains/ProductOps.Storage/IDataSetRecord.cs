namespace ProductOps.Storage;

/// <summary>
/// What a data set keeps about itself beside its events: the event log's partition count, which
/// is fixed for its life (events are routed to partitions by it, and every partition's seq space,
/// users' watermarks and checkpoints depend on it). The first process to open a fresh data set
/// records the count it is configured with; every later one checks its own against it.
/// </summary>
public interface IDataSetRecord
{
    /// <summary>Where the record is kept, for messages (never a password).</summary>
    string Location { get; }

    /// <summary>
    /// The partition count of the data set: the recorded one; on a data set without one,
    /// <paramref name="configured"/>, recorded now, unless the log already holds a partition at or
    /// past it (a data set written before counts were recorded, with more partitions): then the
    /// least count the log allows, marked <see cref="RecordedPartitions.AtLeast"/>, and nothing recorded.
    /// </summary>
    Task<RecordedPartitions> RecordPartitionsAsync(int configured, CancellationToken cancellationToken = default);
}
