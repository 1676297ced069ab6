using ProductOps.Domain;

namespace ProductOps.Storage;

/// <summary>
/// The durable, partitioned event log: the source of truth every aggregate is a function of.
/// Each partition has one writer, which assigns gap-free sequence numbers.
/// </summary>
public interface IEventLog
{
    /// <summary>The highest committed seq of the partition (0 when empty).</summary>
    Task<long> GetHeadAsync(int partition, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits the events in one transaction, numbering new ones head+1, head+2, ... and skipping
    /// those whose (tenant, user, event id) the log already holds. Fails, committing nothing, when
    /// <paramref name="head"/> is no longer the partition's head (another writer got there first).
    /// The returned events carry <paramref name="committedAtMs"/>, the writer's clock; a log may
    /// store its own clock's time instead (the PostgreSQL one stores the database's).
    /// </summary>
    Task<AppendOutcome> AppendAsync(int partition, long head, IReadOnlyList<TrackedEvent> events, long committedAtMs, CancellationToken cancellationToken = default);

    /// <summary>The first <paramref name="max"/> committed events of the partition with a seq above
    /// <paramref name="afterSeq"/>, in seq order: (afterSeq, afterSeq + max] unless rows retention
    /// deleted leave a gap, which the read passes over.</summary>
    Task<IReadOnlyList<LoggedEvent>> ReadAsync(int partition, long afterSeq, int max, CancellationToken cancellationToken = default);

    /// <summary>One user's committed events with seq above <paramref name="afterSeq"/>, in seq order.</summary>
    Task<IReadOnlyList<LoggedEvent>> ReadUserAsync(int partition, string tenant, string userId, long afterSeq, CancellationToken cancellationToken = default);
}
