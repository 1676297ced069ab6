using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ProductOps.Processes;

namespace ProductOps.Postgres.Tests;

/// <summary>
/// A PostgreSQL server of the test's own, in a temporary folder on a free loopback port, so a
/// test may restart or stop it without disturbing the shared server other tests use. Debian's
/// binaries (/usr/lib/postgresql/N/bin); run as the postgres user when the test runs as root,
/// since initdb refuses root. Password authentication over TCP, so a test can check the password
/// stays out of the logs.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private const string Password = "throwaway-pg-Secret-8d1f";
    private readonly string _folder;
    private readonly string _bin;

    private ThrowawayPostgres(string folder, string bin, int port)
    {
        _folder = folder;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "productops",
        Password = Password,
        Database = "productops",
    }.ConnectionString;

    public static string SecretPassword => Password;

    private string DataFolder => Path.Combine(_folder, "data");

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal)
            .Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException("no PostgreSQL server binaries under /usr/lib/postgresql (tools/postgres.sh installs them)");
        var folder = Directory.CreateTempSubdirectory("productops-pg-").FullName;
        var server = new ThrowawayPostgres(folder, bin, LoopbackPorts.Free(1)[0]);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "pwfile"), Password);
            if (Environment.UserName == "root")
            {
                await RunAsync("chown", "-R", "postgres:postgres", folder);
            }

            await server.PgAsync("initdb", "-D", server.DataFolder, "-U", "productops", "--auth-host=scram-sha-256", "--auth-local=trust", $"--pwfile={Path.Combine(folder, "pwfile")}", "-E", "UTF8", "--no-sync");
            await server.ControlAsync("start");
            await using var admin = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres" }.ConnectionString);
            await using var create = admin.CreateCommand("CREATE DATABASE productops");
            await create.ExecuteNonQueryAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A fast restart: every connection is cut, as a failover or an operator's restart does.</summary>
    public Task RestartAsync() => ControlAsync("restart", "-m", "fast");

    public Task StopAsync() => ControlAsync("stop", "-m", "fast");

    public Task StartAgainAsync() => ControlAsync("start");

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
            {
                await ControlAsync("stop", "-m", "immediate");
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
    }

    private Task ControlAsync(string action, params string[] more) =>
        PgAsync("pg_ctl", [action, "-D", DataFolder, "-w", "-t", "60", "-l", Path.Combine(_folder, "server.log"),
            "-o", string.Create(CultureInfo.InvariantCulture, $"-p {Port} -c listen_addresses=127.0.0.1 -k {_folder} -c fsync=off"), .. more]);

    /// <summary>Runs a PostgreSQL program, as the postgres user when this process is root.</summary>
    private Task PgAsync(string program, params string[] arguments) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, program), .. arguments])
            : RunAsync(Path.Combine(_bin, program), arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
        }
    }
}
