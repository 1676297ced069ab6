using Npgsql;
using ProductOps.Storage.Postgres;

namespace ProductOps.Cli;

/// <summary>`migrate`: applies the PostgreSQL schema's pending versions (idempotent).</summary>
internal sealed class MigrateCommand : ICliCommand
{
    public const string ConnectionVariable = "ProductOps__Postgres__ConnectionString";

    public string Name => "migrate";

    public string Summary => "Apply pending PostgreSQL schema migrations (safe to re-run, and to run while silos start).";

    public string Usage => "migrate [--connection STRING] [--to VERSION]";

    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("connection", "STRING", $"Npgsql connection string. Default: the {ConnectionVariable} environment variable (keeps the password off the command line)."),
        new("to", "VERSION", "Stop at this schema version. Default: the latest this build knows."),
    ];

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        arguments.ExpectNoPositionals();
        var connectionString = arguments.GetOptionalString("connection") ?? Environment.GetEnvironmentVariable(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new CliUsageException($"No connection string: pass --connection or set {ConnectionVariable}.");
        }

        int? upTo = arguments.Has("to") ? arguments.GetInt("to", 1, PostgresMigrator.LatestVersion) : null;
        await using var dataSource = CreateDataSource(connectionString);
        var target = ConnectionStringRedaction.Redact(connectionString);
        var migrator = new PostgresMigrator(dataSource);
        IReadOnlyList<int> applied;
        int version;
        try
        {
            applied = await migrator.MigrateAsync(upTo, cancellationToken);
            version = await migrator.GetVersionAsync(cancellationToken);
        }
        catch (NpgsqlException failure) when (!cancellationToken.IsCancellationRequested)
        {
            // An unreachable server or a refused login is an operator's error to read, not a crash.
            var cause = failure.InnerException is { } inner ? $" ({inner.Message})" : string.Empty;
            await Console.Error.WriteLineAsync($"error: migrating {target} failed: {failure.Message}{cause}");
            return CliApp.Failed;
        }

        Console.WriteLine(version > PostgresMigrator.LatestVersion
            ? $"Schema is at version {version}, newer than this build's ({PostgresMigrator.LatestVersion}): a later build migrated it; nothing to apply ({target})."
            : applied.Count == 0
                ? $"Schema is up to date at version {version} ({target})."
                : $"Applied {string.Join(", ", applied)}; schema is at version {version} ({target}).");
        return CliApp.Ok;
    }

    private static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        try
        {
            return NpgsqlDataSource.Create(connectionString);
        }
        catch (ArgumentException invalid)
        {
            // Npgsql names the keyword at fault, never its value (which may be the password).
            throw new CliUsageException($"The connection string is not valid: {invalid.Message}");
        }
    }
}
