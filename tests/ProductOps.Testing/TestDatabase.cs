using Npgsql;

namespace ProductOps.Testing;

/// <summary>A fresh database on the test server, dropped on dispose.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The server the test command prepared (tools/postgres.sh).</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("PRODUCTOPS_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("PRODUCTOPS_TEST_POSTGRES is not set: run the tests with tools/test.sh, which starts PostgreSQL and sets it");

    public static async Task<TestDatabase> CreateAsync(string prefix)
    {
        var name = $"po_{prefix}_{Guid.NewGuid():N}"[..40];
        await using (var server = NpgsqlDataSource.Create(ServerConnectionString))
        await using (var create = server.CreateCommand($"CREATE DATABASE {name}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name };
        return new TestDatabase(name, builder.ConnectionString);
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var server = NpgsqlDataSource.Create(ServerConnectionString);
        await using var drop = server.CreateCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse)
            {
                // FORCE may not end a server process of another role (an autovacuum worker on the
                // database); it finishes soon. A database left behind is only clutter, never a
                // reason to fail the test that used it.
                if (attempt == 10)
                {
                    return;
                }

                await Task.Delay(500);
            }
        }
    }
}
