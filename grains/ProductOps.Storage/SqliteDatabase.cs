using Microsoft.Data.Sqlite;

namespace ProductOps.Storage;

/// <summary>Opens SQLite connections with the settings every embedded file uses.</summary>
internal static class SqliteDatabase
{
    public static SqliteConnection Open(string path, string synchronous)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        // WAL: readers never block the writer; busy_timeout: wait, not fail, on a brief lock.
        Execute(connection, $"PRAGMA journal_mode=WAL; PRAGMA synchronous={Synchronous(synchronous)}; PRAGMA busy_timeout=30000;");
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Synchronous(string mode) => mode.ToUpperInvariant() switch
    {
        "FULL" => "FULL",
        "NORMAL" => "NORMAL",
        _ => throw new ArgumentException($"ProductOps:SqliteSynchronous must be Normal or Full, not '{mode}'", nameof(mode)),
    };
}
