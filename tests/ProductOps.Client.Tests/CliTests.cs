using System.Net;
using System.Net.Sockets;
using ProductOps.Testing;

namespace ProductOps.Client.Tests;

/// <summary>The productops CLI's exit codes and messages when what it talks to fails.</summary>
public sealed class CliTests
{
    private const string Password = "not-for-the-terminal-7f3a";

    [Theory]
    [InlineData("Password")]
    [InlineData("SSL Password")] // the client certificate key's
    public async Task Migrate_DatabaseUnreachable_ExitsOneWithTheReasonAndNoPassword(string keyword)
    {
        var connection = $"Host=127.0.0.1;Port={ClosedPort()};Username=productops;{keyword}={Password};Timeout=5";

        var (exitCode, output, error) = await CliProcess.RunAsync("migrate", "--connection", connection);

        Assert.True(exitCode == 1, $"exit {exitCode}: {error}");
        Assert.StartsWith("error: migrating ", error, StringComparison.Ordinal);
        Assert.Contains("Failed to connect", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_UnknownConnectionStringKeyword_ExitsTwoAsBadUsage()
    {
        var (exitCode, output, error) = await CliProcess.RunAsync(
            "migrate", "--connection", $"Host=127.0.0.1;Passwrd={Password}");

        Assert.True(exitCode == 2, $"exit {exitCode}: {error}");
        Assert.Contains("The connection string is not valid", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_DatabaseMigratedByALaterBuild_SaysSoAndChangesNothing()
    {
        await using var db = await TestDatabase.CreateAsync("cli_newer");
        var (migrated, _, migrateError) = await CliProcess.RunAsync("migrate", "--connection", db.ConnectionString);
        Assert.True(migrated == 0, $"exit {migrated}: {migrateError}");
        var latest = Convert.ToInt32(await db.ScalarAsync("SELECT max(version) FROM productops_schema_version"), System.Globalization.CultureInfo.InvariantCulture);
        await db.ScalarAsync($"INSERT INTO productops_schema_version (version, name) VALUES ({latest + 1}, 'from_a_later_build')");

        var (exitCode, output, error) = await CliProcess.RunAsync("migrate", "--connection", db.ConnectionString);

        Assert.True(exitCode == 0, $"exit {exitCode}: {output} {error}");
        Assert.Contains($"Schema is at version {latest + 1}, newer than this build's ({latest}): a later build migrated it; nothing to apply", output, StringComparison.Ordinal);
        Assert.DoesNotContain("up to date", output, StringComparison.Ordinal);
        Assert.DoesNotContain(new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString).Password!, output + error, StringComparison.Ordinal);
        Assert.Equal((long)latest + 1, await db.ScalarAsync("SELECT count(*) FROM productops_schema_version"));
    }

    [Theory]
    [InlineData("overview")]
    [InlineData("feature")]
    public async Task Help_RangeOptions_SayAGivenFromSetsTheEnd(string command)
    {
        // The server answers 30 days from --from when only it is given, not up to now; without
        // either, the 30 days end with the tenant clock's whole day, not at its now.
        var (exitCode, output, _) = await CliProcess.RunAsync(command, "--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("Default: 30 days after --from if given, else the end of the tenant clock's day.", output, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
