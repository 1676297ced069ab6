using Npgsql;
using NpgsqlTypes;
using ProductOps.Churn;

namespace ProductOps.Storage.Postgres;

/// <summary>The churn model registry on PostgreSQL (schema version 3): one registry for every
/// silo, so an activation or rollback reaches all of them.</summary>
public sealed class PostgresModelStore(NpgsqlDataSource dataSource) : IModelStore
{
    public async Task<ChurnModelInfo> AddAsync(string tenant, ChurnTrainingResult result, TrainingSet data, long createdAtMs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Two silos storing a model of one tenant at once take turns for the next version number.
        await using (var turn = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('churn_model:' || @tenant))", connection, transaction))
        {
            turn.Parameters.AddWithValue("tenant", tenant);
            await turn.ExecuteNonQueryAsync(cancellationToken);
        }

        int version;
        await using (var next = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) + 1 FROM churn_model WHERE tenant = @tenant", connection, transaction))
        {
            next.Parameters.AddWithValue("tenant", tenant);
            version = (int)(await next.ExecuteScalarAsync(cancellationToken))!;
        }

        var info = ModelInfoJson.Describe(tenant, version, result, data, createdAtMs);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO churn_model (tenant, version, created_at_ms, info, model) VALUES (@tenant, @version, @created, @info, @model)", connection, transaction))
        {
            insert.Parameters.AddWithValue("tenant", tenant);
            insert.Parameters.AddWithValue("version", version);
            insert.Parameters.AddWithValue("created", createdAtMs);
            insert.Parameters.AddWithValue("info", NpgsqlDbType.Jsonb, ModelInfoJson.Serialize(info));
            insert.Parameters.AddWithValue("model", NpgsqlDbType.Bytea, result.ModelBytes);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    public async Task<IReadOnlyList<ChurnModelInfo>> ListAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT m.info::text, a.version FROM churn_model m LEFT JOIN churn_active_model a ON a.tenant = m.tenant
            WHERE m.tenant = @tenant ORDER BY m.version DESC
            """);
        command.Parameters.AddWithValue("tenant", tenant);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<ChurnModelInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(ModelInfoJson.Deserialize(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt32(1)));
        }

        return list;
    }

    public async Task<ChurnModelInfo?> GetAsync(string tenant, int version, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT m.info::text, a.version FROM churn_model m LEFT JOIN churn_active_model a ON a.tenant = m.tenant
            WHERE m.tenant = @tenant AND m.version = @version
            """);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("version", version);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? ModelInfoJson.Deserialize(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt32(1))
            : null;
    }

    public async Task<byte[]?> GetModelBytesAsync(string tenant, int version, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT model FROM churn_model WHERE tenant = @tenant AND version = @version");
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("version", version);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    public async Task ActivateAsync(string tenant, int version, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO churn_active_model (tenant, version)
            SELECT tenant, version FROM churn_model WHERE tenant = @tenant AND version = @version
            ON CONFLICT (tenant) DO UPDATE SET version = excluded.version
            """);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("version", version);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw new KeyNotFoundException($"Tenant '{tenant}' has no churn model version {version}.");
        }
    }

    public async Task<int?> GetActiveVersionAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT version FROM churn_active_model WHERE tenant = @tenant");
        command.Parameters.AddWithValue("tenant", tenant);
        return await command.ExecuteScalarAsync(cancellationToken) is int version ? version : null;
    }
}
