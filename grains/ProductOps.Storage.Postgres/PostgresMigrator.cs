using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ProductOps.Storage.Postgres;

/// <summary>
/// Applies the project's versioned schema (Migrations/NNNN_name.sql, embedded) to a database.
/// Each pending step runs in its own transaction together with its row in
/// <c>productops_schema_version</c>; an advisory lock makes concurrent migrators (several silos
/// starting at once) take turns, so re-running is always safe. Steps only add (tables, indexes,
/// columns with defaults: <c>MigrationsOnlyAdd</c> checks), so an earlier build runs on a schema a
/// later one migrated: the old silos of a rolling update, and a rollback.
/// </summary>
public sealed class PostgresMigrator(NpgsqlDataSource dataSource, ILogger<PostgresMigrator>? logger = null)
{
    // Any constant shared by every migrator of this schema: "productops" in ASCII.
    private const long AdvisoryLockKey = 0x70726f647563746f;

    private readonly ILogger _logger = logger ?? NullLogger<PostgresMigrator>.Instance;

    /// <summary>Every migration this build knows, in version order.</summary>
    public static IReadOnlyList<SchemaMigration> All { get; } = Load();

    /// <summary>The latest schema version this build knows.</summary>
    public static int LatestVersion => All[^1].Version;

    /// <summary>The schema version of the database (0 when none was applied).</summary>
    public async Task<int> GetVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await EnsureVersionTableAsync(connection, cancellationToken);
        await using var command = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM productops_schema_version", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <summary>The database's schema version when this build can run on it: its own, or a later
    /// build's (steps only add); an older one throws <see cref="SchemaVersionException"/>.</summary>
    public async Task<int> EnsureRunnableAsync(CancellationToken cancellationToken = default)
    {
        var version = await GetVersionAsync(cancellationToken);
        return version < LatestVersion ? throw new SchemaVersionException(version, LatestVersion) : version;
    }

    /// <summary>Applies every pending migration up to <paramref name="upTo"/> (default: all);
    /// returns the versions it applied.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(int? upTo = null, CancellationToken cancellationToken = default)
    {
        var target = upTo ?? LatestVersion;
        var applied = new List<int>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await EnsureVersionTableAsync(connection, cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var current = await CurrentVersionAsync(connection, cancellationToken);
            foreach (var migration in All.Where(m => m.Version > current && m.Version <= target))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var step = new NpgsqlCommand(migration.Sql, connection, transaction))
                {
                    await step.ExecuteNonQueryAsync(cancellationToken);
                }

                await using (var record = new NpgsqlCommand("INSERT INTO productops_schema_version (version, name) VALUES (@version, @name)", connection, transaction))
                {
                    record.Parameters.AddWithValue("version", migration.Version);
                    record.Parameters.AddWithValue("name", migration.Name);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                PostgresLog.MigrationApplied(_logger, migration.Version, migration.Name);
                applied.Add(migration.Version);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", AdvisoryLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }

        return applied;
    }

    /// <summary>Creates the version table if it is missing, under the migrators' lock: two
    /// first-ever silos racing on CREATE TABLE IF NOT EXISTS can both pass the check and collide
    /// on the table, its row type or its index.</summary>
    private static async Task EnsureVersionTableAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("""
            SELECT pg_advisory_xact_lock(@key);
            CREATE TABLE IF NOT EXISTS productops_schema_version (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("key", AdvisoryLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM productops_schema_version", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static List<SchemaMigration> Load()
    {
        var assembly = typeof(PostgresMigrator).Assembly;
        const string Prefix = "ProductOps.Storage.Postgres.Migrations.";
        var migrations = new List<SchemaMigration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var file = resource[Prefix.Length..^".sql".Length]; // "0001_orleans"
            var separator = file.IndexOf('_', StringComparison.Ordinal);
            var version = int.Parse(file[..separator], CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new SchemaMigration(version, file[(separator + 1)..], reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"schema migrations must be numbered 1, 2, 3, ... without gaps; found {migrations[i].Version} at position {i + 1}");
            }
        }

        return migrations;
    }
}
