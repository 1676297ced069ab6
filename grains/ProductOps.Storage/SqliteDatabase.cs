using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ProductOps.Storage;

/// <summary>Opens SQLite connections with the settings every embedded file uses.</summary>
internal static class SqliteDatabase
{
    // Wait, not fail, on a brief lock (WAL already keeps readers from blocking the writer).
    private const int BusyTimeoutMs = 30_000;

    // Once per process, as Microsoft.Data.Sqlite does: a writer may open the process's first file.
    static SqliteDatabase()
    {
        Batteries_V2.Init();
        // NativeSqlite calls that library itself: under another provider it would be handed
        // pointers from a different copy of SQLite.
        if (raw.GetNativeLibraryName() != NativeSqlite.Library)
        {
            throw new InvalidOperationException($"SQLite provider '{raw.GetNativeLibraryName()}' loaded; ProductOps' storage calls '{NativeSqlite.Library}'");
        }
    }

    public static SqliteConnection Open(string path, string synchronous)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        Execute(connection, Pragmas(synchronous));
        return connection;
    }

    /// <summary>
    /// A native connection without SQLite's per-connection mutex, for an owner that never lets two
    /// threads use it at once (a partition's writer, under its lock). In SQLite's default
    /// serialized mode every bind, step and reset locks that mutex: ~2% of a saturated node.
    /// Same settings as <see cref="Open"/>, and a page cache of <paramref name="pageCacheKiB"/>
    /// (SQLite's default when null).
    /// </summary>
    public static sqlite3 OpenForOneThread(string path, string synchronous, int? pageCacheKiB = null)
    {
        var pragmas = Pragmas(synchronous) + (pageCacheKiB is { } kib ? $" PRAGMA cache_size=-{kib};" : "");
        var rc = raw.sqlite3_open_v2(path, out var db, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_CREATE | raw.SQLITE_OPEN_NOMUTEX, null);
        try
        {
            Check(db, rc);
            Execute(db, pragmas);
            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static void Execute(sqlite3 db, string sql) => Check(db, raw.sqlite3_exec(db, sql));

    /// <summary>Throws what ADO.NET would for a failed native call.</summary>
    public static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    private static string Pragmas(string synchronous) =>
        $"PRAGMA journal_mode=WAL; PRAGMA synchronous={Synchronous(synchronous)}; PRAGMA busy_timeout={BusyTimeoutMs};";

    private static string Synchronous(string mode) => mode.ToUpperInvariant() switch
    {
        "FULL" => "FULL",
        "NORMAL" => "NORMAL",
        _ => throw new ArgumentException($"ProductOps:SqliteSynchronous must be Normal or Full, not '{mode}'", nameof(mode)),
    };
}
