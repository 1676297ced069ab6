using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ProductOps.Storage;

/// <summary>One of the node's SQLite files (state.db, say) could not be opened, read or written;
/// the message names the file and what went wrong, which SQLite's own does not.</summary>
public sealed class DataFileException : IOException
{
    public DataFileException()
    {
    }

    public DataFileException(string message)
        : base(message)
    {
    }

    public DataFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DataFileException(string path, SqliteException failure)
        : base($"data file '{path}': {Describe(failure.SqliteErrorCode)} ({failure.Message})", failure)
    {
    }

    /// <summary>What a SQLite result code means for the file, in words an operator acts on (an
    /// extended code, SQLITE_IOERR_WRITE say, carries its primary one in its low byte).</summary>
    public static string Describe(int code) => (code & 0xff) switch
    {
        raw.SQLITE_FULL => "the disk is full",
        raw.SQLITE_CORRUPT or raw.SQLITE_NOTADB => "the file is corrupt (or not a SQLite database)",
        raw.SQLITE_READONLY => "the file or its folder is read-only",
        raw.SQLITE_IOERR => "an I/O error (the disk failing, or full)",
        raw.SQLITE_CANTOPEN => "the file cannot be opened",
        raw.SQLITE_PERM or raw.SQLITE_AUTH => "permission denied",
        raw.SQLITE_BUSY => "the file is locked (another process holding it: a second node on the same data folder?)",
        _ => $"SQLite error {code}",
    };
}
