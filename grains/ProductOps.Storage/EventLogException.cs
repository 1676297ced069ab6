using Microsoft.Data.Sqlite;

namespace ProductOps.Storage;

/// <summary>The event log's store failed under a call (a partition file full, corrupt or
/// read-only; PostgreSQL unreachable or refusing). The message is for the operator's log (it
/// names the file); <see cref="Cause"/> says what went wrong without paths, hosts or secrets, for
/// the caller's answer.</summary>
public sealed class EventLogException : IOException
{
    public EventLogException()
    {
        Cause = "the event log failed";
    }

    public EventLogException(string message)
        : base(message)
    {
        Cause = message;
    }

    public EventLogException(string message, Exception innerException)
        : base(message, innerException)
    {
        Cause = message;
    }

    /// <summary>A failure whose caller-fit words (<paramref name="cause"/>) differ from the log's.</summary>
    public EventLogException(string message, string cause, Exception innerException)
        : base(message, innerException)
    {
        Cause = cause;
    }

    /// <summary>The failure of partition <paramref name="partition"/>'s file <paramref name="path"/>.</summary>
    public EventLogException(int partition, string path, SqliteException failure)
        : this(
            $"event log file '{path}': {DataFileException.Describe(failure.SqliteErrorCode)} ({failure.Message})",
            $"partition {partition}'s log file: {DataFileException.Describe(failure.SqliteErrorCode)}",
            failure)
    {
    }

    /// <summary>What failed, in words an operator acts on.</summary>
    public string Cause { get; }
}
