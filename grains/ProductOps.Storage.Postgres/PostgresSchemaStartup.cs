using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ProductOps.Storage.Postgres;

/// <summary>
/// Runs before the silo's storage and membership start: applies pending migrations when
/// MigrateOnStart is set, and refuses to start on a schema older than this build's. A newer one (a
/// later build migrated it: this silo is an old one of a rolling update, or a rollback) is run on,
/// with a warning, since steps only add.
/// </summary>
internal sealed class PostgresSchemaStartup(PostgresMigrator migrator, NpgsqlDataSource dataSource, IOptions<PostgresOptions> options, ILogger<PostgresSchemaStartup> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Before anything else that reads the schema: the data set's record is checked at
    /// <c>RuntimeInitialize - 1</c>, storage and membership start at <c>RuntimeInitialize</c> and later.</summary>
    public const int Stage = ServiceLifecycleStage.RuntimeInitialize - 2;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresSchemaStartup), Stage, EnsureSchemaAsync);

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStart)
        {
            await migrator.MigrateAsync(cancellationToken: cancellationToken);
        }

        var version = await migrator.EnsureRunnableAsync(cancellationToken);
        var database = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Database ?? "(default)";
        PostgresLog.SchemaReady(logger, version, database);
        if (version > PostgresMigrator.LatestVersion)
        {
            PostgresLog.SchemaNewerThanBuild(logger, version, PostgresMigrator.LatestVersion);
        }
    }
}
