using ProductOps.Domain;
using ProductOps.Storage;

namespace ProductOps.Cluster.Tests;

/// <summary>
/// An event log whose appends fail, while <see cref="Failing"/> is set, with an exception no
/// serializer knows (like a database driver's), or commit and then fail as if the connection broke
/// before the reply (<see cref="LoseReplies"/>); reads go through. (The silos of a TestingHost
/// cluster share this process, hence static.)
/// </summary>
public sealed class FailingEventLog(IEventLog inner) : IEventLog
{
    /// <summary>Test setting that puts this log in front of the embedded one.</summary>
    public const string Setting = "ProductOps:Tests:FailingEventLog";

    private static volatile bool s_failing;
    private static volatile bool s_failingReads;
    private static int s_lostRepliesLeft;

    public static bool Failing
    {
        get => s_failing;
        set => s_failing = value;
    }

    /// <summary>While set, reads (dispatch's, an activation's backlog, a user's catch-up) fail as
    /// the embedded log's do when their file fails: an <see cref="EventLogException"/> naming the file.</summary>
    public static bool FailingReads
    {
        get => s_failingReads;
        set => s_failingReads = value;
    }

    /// <summary>The next <paramref name="count"/> appends commit, and then fail as a commit whose
    /// outcome the writer cannot know (PostgreSQL's connection lost after COMMIT was sent).</summary>
    public static void LoseReplies(int count) => Volatile.Write(ref s_lostRepliesLeft, count);

    /// <summary>How many of the replies <see cref="LoseReplies"/> asked for are still to be lost.</summary>
    public static int LostRepliesLeft => Math.Max(0, Volatile.Read(ref s_lostRepliesLeft));

    public Task<long> GetHeadAsync(int partition, CancellationToken cancellationToken = default) =>
        inner.GetHeadAsync(partition, cancellationToken);

    public async Task<AppendOutcome> AppendAsync(int partition, long head, IReadOnlyList<TrackedEvent> events, long committedAtMs, CancellationToken cancellationToken = default)
    {
        if (Failing)
        {
            throw new DriverException("connection slots exhausted");
        }

        var outcome = await inner.AppendAsync(partition, head, events, committedAtMs, cancellationToken);
        if (outcome.Logged.Count > 0 && Interlocked.Decrement(ref s_lostRepliesLeft) >= 0)
        {
            throw new DriverException("connection lost after the commit was sent");
        }

        return outcome;
    }

    public Task<IReadOnlyList<LoggedEvent>> ReadAsync(int partition, long afterSeq, int max, CancellationToken cancellationToken = default) =>
        FailingReads ? throw CorruptFile(partition) : inner.ReadAsync(partition, afterSeq, max, cancellationToken);

    public Task<IReadOnlyList<LoggedEvent>> ReadUserAsync(int partition, string tenant, string userId, long afterSeq, CancellationToken cancellationToken = default) =>
        FailingReads ? throw CorruptFile(partition) : inner.ReadUserAsync(partition, tenant, userId, afterSeq, cancellationToken);

    private static EventLogException CorruptFile(int partition) => new(
        $"event log file '/data/log/partition-{partition:D4}.db': the file is corrupt", $"partition {partition}'s log file: the file is corrupt", new IOException("disk image is malformed"));

    /// <summary>Stands for a storage driver's exception type, which Orleans cannot serialize.</summary>
    public sealed class DriverException(string message) : Exception(message);
}
