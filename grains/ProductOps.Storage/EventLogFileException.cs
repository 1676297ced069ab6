using Microsoft.Data.Sqlite;

namespace ProductOps.Storage;

/// <summary>A partition's log file could not be opened, read or written (disk full, corrupt,
/// read-only, an I/O error). The message names the file, for the operator's log;
/// <see cref="Cause"/> says what went wrong without the path, for the caller's answer.</summary>
public sealed class EventLogFileException : IOException
{
    public EventLogFileException()
    {
        Cause = "the event log failed";
    }

    public EventLogFileException(string message)
        : base(message)
    {
        Cause = message;
    }

    public EventLogFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Cause = message;
    }

    /// <summary>The failure of partition <paramref name="partition"/>'s file <paramref name="path"/>.</summary>
    public EventLogFileException(int partition, string path, SqliteException failure)
        : base($"event log file '{path}': {DataFileException.Describe(failure.SqliteErrorCode)} ({failure.Message})", failure)
    {
        Cause = $"partition {partition}'s log file: {DataFileException.Describe(failure.SqliteErrorCode)}";
    }

    /// <summary>What failed, in words an operator acts on, without the file's path.</summary>
    public string Cause { get; }
}
