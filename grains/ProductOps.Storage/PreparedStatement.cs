using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ProductOps.Storage;

/// <summary>A native SQLite statement prepared once and stepped many times; failures surface as
/// <see cref="SqliteException"/>, as they would through ADO.NET. Binding, stepping and resetting
/// go straight to the native pointer (<see cref="NativeSqlite"/>).</summary>
internal sealed class PreparedStatement : IDisposable
{
    private readonly sqlite3 _db;
    private nint _handle;

    public PreparedStatement(sqlite3 db, string sql)
    {
        _db = db;
        Check(raw.sqlite3_prepare_v3(db, sql, raw.SQLITE_PREPARE_PERSISTENT, out var statement, out _));
        Statement = statement;
        _handle = statement.DangerousGetHandle();
    }

    /// <summary>For reading columns through SQLitePCLRaw (text, blobs, types).</summary>
    public sqlite3_stmt Statement { get; }

    /// <summary>The native pointer, while the statement lives: once disposed, a call throws
    /// instead of reaching freed memory (the safe handle no longer stands in between).</summary>
    private nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(PreparedStatement));

    public void Bind(int index, long value) => Check(NativeSqlite.BindInt64(Handle, index, value));

    public void Bind(int index, double value) => Check(NativeSqlite.BindDouble(Handle, index, value));

    public void Bind(int index, string value) => Check(NativeSqlite.BindText(Handle, index, value));

    /// <summary>Binds text without a copy: it must stay put until bound again (<see cref="Utf8Row"/>).</summary>
    public void Bind(int index, Utf8Text value) => Check(NativeSqlite.BindUtf8(Handle, index, value));

    public void BindNull(int index) => Check(NativeSqlite.BindNull(Handle, index));

    /// <summary>The current row's column as an integer.</summary>
    public long ColumnInt64(int column) => NativeSqlite.ColumnInt64(Handle, column);

    /// <summary>Steps once; true when a row is ready to read. The caller resets.</summary>
    public bool Step()
    {
        var handle = Handle;
        var rc = NativeSqlite.Step(handle);
        if (rc is raw.SQLITE_ROW or raw.SQLITE_DONE)
        {
            return rc == raw.SQLITE_ROW;
        }

        NativeSqlite.Reset(handle);
        Check(rc);
        return false;
    }

    /// <summary>Ready to run again (bindings stay).</summary>
    public void Reset() => NativeSqlite.Reset(Handle);

    /// <summary>Steps once and reads the first column of the row as an integer, or
    /// <paramref name="none"/> when there is no row; ready to run again.</summary>
    public long ReadInt64(long none)
    {
        try
        {
            return Step() ? ColumnInt64(0) : none;
        }
        finally
        {
            Reset();
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
            Reset();
        }
    }

    /// <summary>Runs it, ignoring failure (a rollback after an error that already ended the transaction).</summary>
    public void TryRun()
    {
        var handle = Handle;
        NativeSqlite.Step(handle);
        NativeSqlite.Reset(handle);
    }

    public void Dispose()
    {
        _handle = 0;
        Statement.Dispose();
    }

    private void Check(int rc) => SqliteDatabase.Check(_db, rc);
}
