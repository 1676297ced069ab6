using Npgsql;

namespace ProductOps.Storage.Postgres;

/// <summary>The PostgreSQL data set's record: table <c>data_set</c> (schema version 4).</summary>
public sealed class PostgresDataSetRecord(NpgsqlDataSource dataSource) : IDataSetRecord
{
    private const string PartitionsKey = "partitions";

    public string Location =>
        $"table data_set of database {new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Database ?? "(default)"}";

    public async Task<RecordedPartitions> RecordPartitionsAsync(int configured, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Silos starting at once on a fresh database take turns, so the first one's count is the
        // one the others see; readers (gateways) are not held up.
        await using (var turn = new NpgsqlCommand("LOCK TABLE data_set IN SHARE ROW EXCLUSIVE MODE", connection, transaction))
        {
            await turn.ExecuteNonQueryAsync(cancellationToken);
        }

        if (await ReadAsync(connection, transaction, cancellationToken) is { } recorded)
        {
            return new RecordedPartitions(recorded, AtLeast: false);
        }

        // Only partitions that ever committed have a head row: enough to tell that a count is too small.
        await using (var highest = new NpgsqlCommand("SELECT COALESCE(MAX(log_partition), -1) FROM log_head", connection, transaction))
        {
            var partition = (int)(await highest.ExecuteScalarAsync(cancellationToken))!;
            if (partition >= configured)
            {
                return new RecordedPartitions(partition + 1, AtLeast: true);
            }
        }

        await using (var write = new NpgsqlCommand("INSERT INTO data_set (name, value) VALUES (@name, @value)", connection, transaction))
        {
            write.Parameters.AddWithValue("name", PartitionsKey);
            write.Parameters.AddWithValue("value", (long)configured);
            await write.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new RecordedPartitions(configured, AtLeast: false);
    }

    /// <summary>The recorded partition count, without recording one: null when none is recorded
    /// yet, or the schema predates the record (for a gateway, which never writes the schema).</summary>
    public async Task<int?> ReadPartitionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            return await ReadAsync(connection, null, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return null;
        }
    }

    private static async Task<int?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var read = new NpgsqlCommand("SELECT value FROM data_set WHERE name = @name", connection, transaction);
        read.Parameters.AddWithValue("name", PartitionsKey);
        return await read.ExecuteScalarAsync(cancellationToken) is long value ? checked((int)value) : null;
    }
}
