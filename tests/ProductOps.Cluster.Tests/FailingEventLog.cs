using ProductOps.Domain;
using ProductOps.Storage;

namespace ProductOps.Cluster.Tests;

/// <summary>
/// An event log whose appends fail, while <see cref="Failing"/> is set, with an exception no
/// serializer knows (like a database driver's); reads go through. (The silos of a TestingHost
/// cluster share this process, hence static.)
/// </summary>
public sealed class FailingEventLog(IEventLog inner) : IEventLog
{
    /// <summary>Test setting that puts this log in front of the embedded one.</summary>
    public const string Setting = "ProductOps:Tests:FailingEventLog";

    private static volatile bool s_failing;

    public static bool Failing
    {
        get => s_failing;
        set => s_failing = value;
    }

    public Task<long> GetHeadAsync(int partition, CancellationToken cancellationToken = default) =>
        inner.GetHeadAsync(partition, cancellationToken);

    public Task<AppendOutcome> AppendAsync(int partition, long head, IReadOnlyList<TrackedEvent> events, long committedAtMs, CancellationToken cancellationToken = default) =>
        Failing
            ? throw new DriverException("connection slots exhausted")
            : inner.AppendAsync(partition, head, events, committedAtMs, cancellationToken);

    public Task<IReadOnlyList<LoggedEvent>> ReadAsync(int partition, long afterSeq, int max, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(partition, afterSeq, max, cancellationToken);

    public Task<IReadOnlyList<LoggedEvent>> ReadUserAsync(int partition, string tenant, string userId, long afterSeq, CancellationToken cancellationToken = default) =>
        inner.ReadUserAsync(partition, tenant, userId, afterSeq, cancellationToken);

    /// <summary>Stands for a storage driver's exception type, which Orleans cannot serialize.</summary>
    public sealed class DriverException(string message) : Exception(message);
}
