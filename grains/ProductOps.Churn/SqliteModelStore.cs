using Microsoft.Data.Sqlite;

namespace ProductOps.Churn;

/// <summary>The model registry in an embedded SQLite file (by default <c>data/models.db</c>).</summary>
public sealed class SqliteModelStore : IModelStore
{
    private readonly string _connectionString;

    /// <summary>Opens (creating when needed) the registry at <paramref name="path"/>.</summary>
    public SqliteModelStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var connection = Open();
        Execute(connection, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS churn_models (
                tenant TEXT NOT NULL,
                version INTEGER NOT NULL,
                created_at_ms INTEGER NOT NULL,
                info_json TEXT NOT NULL,
                model BLOB NOT NULL,
                PRIMARY KEY (tenant, version));
            CREATE TABLE IF NOT EXISTS churn_active_models (
                tenant TEXT NOT NULL PRIMARY KEY,
                version INTEGER NOT NULL);
            """);
    }

    public async Task<ChurnModelInfo> AddAsync(string tenant, ChurnTrainingResult result, TrainingSet data, long createdAtMs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(data);
        await using var connection = Open();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var next = Command(connection, "SELECT COALESCE(MAX(version), 0) + 1 FROM churn_models WHERE tenant = $tenant", ("$tenant", tenant));
        var version = Convert.ToInt32(await next.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        var info = ModelInfoJson.Describe(tenant, version, result, data, createdAtMs);
        await using var insert = Command(
            connection,
            "INSERT INTO churn_models (tenant, version, created_at_ms, info_json, model) VALUES ($tenant, $version, $created, $info, $model)",
            ("$tenant", tenant), ("$version", version), ("$created", createdAtMs), ("$info", ModelInfoJson.Serialize(info)), ("$model", result.ModelBytes));
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    public async Task<IReadOnlyList<ChurnModelInfo>> ListAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        var active = await ActiveAsync(connection, tenant, cancellationToken);
        await using var command = Command(connection, "SELECT info_json FROM churn_models WHERE tenant = $tenant ORDER BY version DESC", ("$tenant", tenant));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<ChurnModelInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(ModelInfoJson.Deserialize(reader.GetString(0), active));
        }

        return list;
    }

    public async Task<ChurnModelInfo?> GetAsync(string tenant, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        var active = await ActiveAsync(connection, tenant, cancellationToken);
        await using var command = Command(connection, "SELECT info_json FROM churn_models WHERE tenant = $tenant AND version = $version", ("$tenant", tenant), ("$version", version));
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? ModelInfoJson.Deserialize(json, active) : null;
    }

    public async Task<byte[]?> GetModelBytesAsync(string tenant, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = Command(connection, "SELECT model FROM churn_models WHERE tenant = $tenant AND version = $version", ("$tenant", tenant), ("$version", version));
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    public async Task ActivateAsync(string tenant, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = Command(
            connection,
            """
            INSERT INTO churn_active_models (tenant, version)
            SELECT tenant, version FROM churn_models WHERE tenant = $tenant AND version = $version
            ON CONFLICT (tenant) DO UPDATE SET version = excluded.version
            """,
            ("$tenant", tenant), ("$version", version));
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw new KeyNotFoundException($"Tenant '{tenant}' has no churn model version {version}.");
        }
    }

    public async Task<int?> GetActiveVersionAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        return await ActiveAsync(connection, tenant, cancellationToken);
    }

    private static async Task<int?> ActiveAsync(SqliteConnection connection, string tenant, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, "SELECT version FROM churn_active_models WHERE tenant = $tenant", ("$tenant", tenant));
        return await command.ExecuteScalarAsync(cancellationToken) is long version ? (int)version : null;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout=30000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
