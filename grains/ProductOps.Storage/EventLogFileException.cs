using Microsoft.Data.Sqlite;
using SQLitePCL;

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
        : base($"event log file '{path}': {Describe(failure.SqliteErrorCode)} ({failure.Message})", failure)
    {
        Cause = $"partition {partition}'s log file: {Describe(failure.SqliteErrorCode)}";
    }

    /// <summary>What failed, in words an operator acts on, without the file's path.</summary>
    public string Cause { get; }

    /// <summary>The primary result code (an extended one, SQLITE_IOERR_WRITE say, carries it in its low byte).</summary>
    private static string Describe(int code) => (code & 0xff) switch
    {
        raw.SQLITE_FULL => "the disk is full",
        raw.SQLITE_CORRUPT or raw.SQLITE_NOTADB => "the file is corrupt (or not a SQLite database)",
        raw.SQLITE_READONLY => "the file or its folder is read-only",
        raw.SQLITE_IOERR => "an I/O error (the disk failing, or full)",
        raw.SQLITE_CANTOPEN => "the file cannot be opened",
        raw.SQLITE_PERM or raw.SQLITE_AUTH => "permission denied",
        _ => $"SQLite error {code}",
    };
}
