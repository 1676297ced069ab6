using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ProductOps.Storage;

/// <summary>The embedded data set's record: table <c>data_set</c> in DataDir/state.db, beside the
/// grain state (one file per data set, whatever its partition count).</summary>
public sealed class SqliteDataSetRecord(IOptions<StorageOptions> options) : IDataSetRecord
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS data_set (
            name  TEXT PRIMARY KEY,
            value INTEGER NOT NULL) WITHOUT ROWID;
        """;

    private const string PartitionsKey = "partitions";

    private readonly string _dataDir = options.Value.DataDir;
    private readonly string _synchronous = options.Value.SqliteSynchronous;

    public string Location => Path.GetFullPath(SqliteGrainStorage.StateFile(_dataDir));

    public Task<RecordedPartitions> RecordPartitionsAsync(int configured, CancellationToken cancellationToken = default) =>
        Task.Run(() =>
        {
            try
            {
                return Record(configured);
            }
            catch (SqliteException e)
            {
                // The node's first touch of state.db: a file that fails here stops the start, and
                // SQLite's own message names no file.
                throw new DataFileException(Location, e);
            }
        }, cancellationToken);

    private RecordedPartitions Record(int configured)
    {
        Directory.CreateDirectory(_dataDir);
        using var connection = SqliteDatabase.Open(Location, _synchronous);
        SqliteDatabase.Execute(connection, Schema);
        // Immediate: silos sharing the folder that start at once take turns, so the first one's
        // count is the one the others see.
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = $"SELECT value FROM data_set WHERE name = '{PartitionsKey}'";
            if (read.ExecuteScalar() is long recorded)
            {
                return new RecordedPartitions(checked((int)recorded), AtLeast: false);
            }
        }

        var highest = SqliteEventLog.HighestPartition(_dataDir);
        if (highest >= configured)
        {
            return new RecordedPartitions(highest + 1, AtLeast: true);
        }

        using (var write = connection.CreateCommand())
        {
            write.Transaction = transaction;
            write.CommandText = $"INSERT INTO data_set (name, value) VALUES ('{PartitionsKey}', $value)";
            write.Parameters.AddWithValue("$value", configured);
            write.ExecuteNonQuery();
        }

        transaction.Commit();
        return new RecordedPartitions(configured, AtLeast: false);
    }
}
