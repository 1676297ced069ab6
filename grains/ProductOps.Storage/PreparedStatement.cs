using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ProductOps.Storage;

/// <summary>A native SQLite statement prepared once and stepped many times; failures surface as
/// <see cref="SqliteException"/>, as they would through ADO.NET.</summary>
internal sealed class PreparedStatement : IDisposable
{
    private readonly sqlite3 _db;

    public PreparedStatement(sqlite3 db, string sql)
    {
        _db = db;
        Check(raw.sqlite3_prepare_v3(db, sql, raw.SQLITE_PREPARE_PERSISTENT, out var statement, out _));
        Statement = statement;
    }

    public sqlite3_stmt Statement { get; }

    /// <summary>Steps once; true when a row is ready to read. The caller resets.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(Statement);
        if (rc is raw.SQLITE_ROW or raw.SQLITE_DONE)
        {
            return rc == raw.SQLITE_ROW;
        }

        raw.sqlite3_reset(Statement);
        Check(rc);
        return false;
    }

    /// <summary>Steps once and reads the first column of the row as an integer, or
    /// <paramref name="none"/> when there is no row; ready to run again.</summary>
    public long ReadInt64(long none)
    {
        try
        {
            return Step() ? raw.sqlite3_column_int64(Statement, 0) : none;
        }
        finally
        {
            raw.sqlite3_reset(Statement);
        }
    }

    /// <summary>Runs a statement that returns no rows, ready to run again.</summary>
    public void Run()
    {
        try
        {
            Step();
        }
        finally
        {
            raw.sqlite3_reset(Statement);
        }
    }

    /// <summary>Runs it, ignoring failure (a rollback after an error that already ended the transaction).</summary>
    public void TryRun()
    {
        raw.sqlite3_step(Statement);
        raw.sqlite3_reset(Statement);
    }

    public void Dispose() => Statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
