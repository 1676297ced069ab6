using Microsoft.Extensions.Options;
using ProductOps.Domain;
using ProductOps.Storage.Postgres;
using ProductOps.Testing;

namespace ProductOps.Postgres.Tests;

/// <summary>The versioned schema on a real server: fresh, re-run, upgrade, concurrent starts.</summary>
public sealed class SchemaMigrationTests
{
    private static readonly string[] OrleansQueryKeys =
    [
        "GatewaysQueryKey", "MembershipReadRowKey", "MembershipReadAllKey", "InsertMembershipVersionKey",
        "UpdateIAmAlivetimeKey", "InsertMembershipKey", "UpdateMembershipKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey",
    ];

    [Fact]
    public async Task Migrate_FreshDatabase_AppliesEveryVersionAndAllQueryKeys()
    {
        await using var db = await TestDatabase.CreateAsync("fresh");
        var migrator = new PostgresMigrator(db.DataSource);

        var applied = await migrator.MigrateAsync();

        Assert.Equal(Enumerable.Range(1, PostgresMigrator.LatestVersion), applied);
        Assert.Equal(PostgresMigrator.LatestVersion, await migrator.GetVersionAsync());
        foreach (var key in OrleansQueryKeys)
        {
            Assert.Equal(1L, await db.ScalarAsync($"SELECT count(*) FROM OrleansQuery WHERE QueryKey = '{key}'"));
        }

        // Exactly one unique key (the primary key) on grain state rows.
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname = 'orleans_grain_state' AND i.indisunique"));
    }

    [Fact]
    public async Task Migrate_RunTwiceAndConcurrently_IsIdempotent()
    {
        await using var db = await TestDatabase.CreateAsync("rerun");
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new PostgresMigrator(db.DataSource).MigrateAsync()));

        Assert.Equal(PostgresMigrator.LatestVersion, results.Sum(r => r.Count)); // each step applied once
        Assert.Empty(await new PostgresMigrator(db.DataSource).MigrateAsync());
        Assert.Equal((long)PostgresMigrator.LatestVersion, await db.ScalarAsync("SELECT count(*) FROM productops_schema_version"));
    }

    [Fact]
    public async Task FirstEverStart_ManySilosAtOnce_NoneFailsOnTheVersionTable()
    {
        // Silos of a new cluster all start on an empty database: some read the version, some migrate.
        for (var round = 0; round < 5; round++)
        {
            await using var db = await TestDatabase.CreateAsync($"first_start_{round}");
            var migrations = Enumerable.Range(0, 8).Select(_ => new PostgresMigrator(db.DataSource).MigrateAsync());
            var reads = Enumerable.Range(0, 8).Select(_ => new PostgresMigrator(db.DataSource).GetVersionAsync());

            await Task.WhenAll(Task.WhenAll(migrations), Task.WhenAll(reads));

            Assert.Equal(PostgresMigrator.LatestVersion, await new PostgresMigrator(db.DataSource).GetVersionAsync());
        }
    }

    [Fact]
    public async Task Migrate_FromPreviousVersion_KeepsDataAndCompletesSchema()
    {
        await using var db = await TestDatabase.CreateAsync("upgrade");
        var migrator = new PostgresMigrator(db.DataSource);
        var previous = PostgresMigrator.LatestVersion - 1;
        await migrator.MigrateAsync(upTo: previous);
        Assert.Equal(previous, await migrator.GetVersionAsync());
        await db.ScalarAsync("""
            INSERT INTO orleans_grain_state (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension, version, payload)
            VALUES ('svc', 'tenant', 1, 2, 'demo', 3, '\x0102')
            """);

        Assert.Equal([PostgresMigrator.LatestVersion], await migrator.MigrateAsync());

        Assert.Equal(3, await db.ScalarAsync("SELECT version FROM orleans_grain_state WHERE grain_id_extension = 'demo'"));
        var log = new PostgresEventLog(db.DataSource);
        var outcome = await log.AppendAsync(0, 0, [Event("e1")], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Equal(1, outcome.Head);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM churn_model")); // version 3: the model registry
    }

    /// <summary>A later build migrated the database (a rolling update under way, or one rolled
    /// back): this build applies nothing and runs on it, since steps only add.</summary>
    [Fact]
    public async Task Migrate_DatabaseNewerThanThisBuild_AppliesNothingAndRunsOnIt()
    {
        await using var db = await TestDatabase.CreateAsync("newer");
        var migrator = new PostgresMigrator(db.DataSource);
        await migrator.MigrateAsync();
        var newer = PostgresMigrator.LatestVersion + 1;
        // What a later build leaves behind: a version this one has never heard of.
        await db.ScalarAsync($"INSERT INTO productops_schema_version (version, name) VALUES ({newer}, 'from_a_later_build')");

        Assert.Empty(await migrator.MigrateAsync());

        Assert.Equal((long)newer, await db.ScalarAsync("SELECT count(*) FROM productops_schema_version"));
        Assert.Equal(newer, await migrator.EnsureRunnableAsync());
    }

    /// <summary>What lets an earlier build run on a later one's schema: no step drops, renames or
    /// retypes anything an earlier build reads (a change that must, comes in two releases: add
    /// first, drop once no build reads it).</summary>
    [Fact]
    public void MigrationsOnlyAdd()
    {
        foreach (var migration in PostgresMigrator.All)
        {
            var statements = string.Join('\n', migration.Sql.Split('\n').Select(line => line.Split("--")[0]));
            foreach (var word in (string[])["DROP", "RENAME", "ALTER COLUMN"])
            {
                Assert.False(statements.Contains(word, StringComparison.OrdinalIgnoreCase), $"migration {migration.Version} ({migration.Name}) has {word}: earlier builds could no longer run on the schema");
            }
        }
    }

    [Fact]
    public async Task EnsureRunnable_OlderDatabaseWithoutMigrating_RefusesAndCurrentPasses()
    {
        await using var db = await TestDatabase.CreateAsync("older");
        var migrator = new PostgresMigrator(db.DataSource);
        await migrator.MigrateAsync(upTo: PostgresMigrator.LatestVersion - 1);

        var refused = await Assert.ThrowsAsync<SchemaVersionException>(() => migrator.EnsureRunnableAsync());

        Assert.Equal(PostgresMigrator.LatestVersion - 1, refused.DatabaseVersion);
        Assert.Contains("productops migrate", refused.Message, StringComparison.Ordinal);
        await migrator.MigrateAsync();
        Assert.Equal(PostgresMigrator.LatestVersion, await migrator.EnsureRunnableAsync());
    }

    [Fact]
    public async Task Migrate_StepFailsHalfway_NothingOfThatStepStaysAndARetryCompletesIt()
    {
        await using var db = await TestDatabase.CreateAsync("halfway");
        var migrator = new PostgresMigrator(db.DataSource);
        await migrator.MigrateAsync(upTo: 2);
        // Version 3 creates churn_model, then churn_active_model: make its second statement fail.
        await db.ScalarAsync("CREATE TABLE churn_active_model (in_the_way integer)");

        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => migrator.MigrateAsync());

        Assert.Equal(2, await migrator.GetVersionAsync());
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 'churn_model'")); // its first statement was rolled back with it
        await db.ScalarAsync("DROP TABLE churn_active_model");
        Assert.Equal(Enumerable.Range(3, PostgresMigrator.LatestVersion - 2), await migrator.MigrateAsync());
        Assert.Equal(PostgresMigrator.LatestVersion, await migrator.EnsureRunnableAsync());
    }

    [Fact]
    public async Task Validate_UnparsableConnectionString_FailsNamingTheFieldNotThePassword()
    {
        var failure = new PostgresOptions { ConnectionString = "Host=x;Passwrd=s3cret" }.Validate();

        Assert.NotNull(failure);
        Assert.StartsWith($"{PostgresOptions.Section}:ConnectionString", failure, StringComparison.Ordinal);
        Assert.Contains("passwrd", failure, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("s3cret", failure, StringComparison.Ordinal);
        var unbalanced = new PostgresOptions { ConnectionString = "Host=x;Password='s3cret" }.Validate();
        Assert.NotNull(unbalanced);
        Assert.DoesNotContain("s3cret", unbalanced, StringComparison.Ordinal);
        Assert.Contains("Port", new PostgresOptions { ConnectionString = "Host=x;Port=abc" }.Validate(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Validate_RetentionShorterThanDedupWindow_Fails()
    {
        Assert.NotNull(new PostgresOptions { ConnectionString = "Host=x", RetentionDays = 3 }.Validate());
        Assert.NotNull(new PostgresOptions { ConnectionString = "Host=x", DedupWindowDays = 1 }.Validate());
        Assert.Null(new PostgresOptions { ConnectionString = "Host=x", RetentionDays = 30 }.Validate());
        Assert.DoesNotContain("s3cret", ConnectionStringRedaction.Redact("Host=x;Username=u;Password=s3cret"), StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    internal static TrackedEvent Event(string id, string user = "u1", string tenant = "t1", long ts = 1_700_000_000_000) =>
        new(tenant, user, id, "feature_used", "search", ts, 1.5, "s1", new Dictionary<string, string> { ["k"] = "v" });

    internal static IOptions<PostgresOptions> Options(TestDatabase db, int retentionDays = 0) =>
        Microsoft.Extensions.Options.Options.Create(new PostgresOptions { ConnectionString = db.ConnectionString, RetentionDays = retentionDays });
}
