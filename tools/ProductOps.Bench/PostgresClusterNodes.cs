using Npgsql;
using ProductOps.Processes;

namespace ProductOps.Bench;

/// <summary>
/// A production-shaped cluster on this machine: a fresh PostgreSQL database (created on the given
/// server, dropped at the end), N silo processes with <c>ProductOps:Store=Postgres</c> (event log,
/// grain state and membership in the database; the first silo migrates the schema) and one
/// stand-alone gateway process that finds them in membership. All on free loopback ports; the
/// connection string reaches the processes through their environment, never their command line.
/// </summary>
internal sealed class PostgresClusterNodes : INodeUnderTest
{
    private readonly List<ChildProcess> _processes = [];
    private readonly string _workDir;
    private readonly string _serverConnection;
    private readonly string _database;
    private readonly TextWriter _progress;
    private string _serverVersion = "?";

    private PostgresClusterNodes(string workDir, string serverConnection, string database, string siloDll, TextWriter progress)
    {
        _progress = progress;
        _workDir = workDir;
        _serverConnection = serverConnection;
        _database = database;
        SiloDll = siloDll;
    }

    public Uri Grpc { get; private set; } = null!;

    public NodeProcesses Processes => new([.. _processes.Select(p => p.Pid)], CountDatabase: true);

    public string Mode =>
        $"PostgreSQL cluster started by the harness: {_processes.Count - 1} silo processes and 1 gateway process; event log, grain state and membership in PostgreSQL {_serverVersion} on this machine";

    public string SiloDll { get; }

    public string? KeepLogsAt { get; set; }

    /// <summary>Creates the database and starts <paramref name="silos"/> silos and the gateway;
    /// <paramref name="serverConnection"/> is a role on the server that may create databases.</summary>
    public static async Task<PostgresClusterNodes> StartAsync(int silos, string serverConnection, string runId, string? siloDll,
        string? gatewayDll, TextWriter progress, CancellationToken token)
    {
        var silo = siloDll ?? ChildProcess.BuiltDll("silo", "ProductOps.Silo", "ProductOps.Silo.dll");
        var gateway = gatewayDll ?? ChildProcess.BuiltDll("gateway", "ProductOps.Gateway.Host", "ProductOps.Gateway.Host.dll");
        var cluster = new PostgresClusterNodes(Directory.CreateTempSubdirectory("productops-bench-cluster-").FullName,
            serverConnection, $"productops_bench_cluster_{runId}", silo, progress);
        try
        {
            await cluster.CreateDatabaseAsync(token);
            var environment = new Dictionary<string, string>
            {
                ["ProductOps__Store"] = "Postgres",
                ["ProductOps__Postgres__ConnectionString"] = new NpgsqlConnectionStringBuilder(serverConnection) { Database = cluster._database }.ConnectionString,
                ["ProductOps__LocalTrial"] = "true",
            };

            // The first silo migrates the new database; the rest start together once it is up.
            await cluster.StartSilosAsync(1, 1, silo, environment, progress, token);
            await cluster.StartSilosAsync(2, silos - 1, silo, environment, progress, token);
            var ports = LoopbackPorts.Free(2);
            cluster.Grpc = new Uri($"http://127.0.0.1:{ports[0]}");
            var process = cluster.Start("gateway-1", gateway,
            [
                $"--Kestrel:Endpoints:Grpc:Url={cluster.Grpc}",
                $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{ports[1]}",
            ], environment);
            await process.WaitHealthyAsync(new Uri($"http://127.0.0.1:{ports[1]}"), token);
            await progress.WriteLineAsync($"Cluster: {silos} silos and a gateway on {cluster.Grpc} (pids {string.Join(", ", cluster._processes.Select(p => p.Pid))}), database {cluster._database}");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public (int Warnings, int Errors) LogCounts()
    {
        var counts = _processes.Select(p => p.LogCounts()).ToList();
        return (counts.Sum(c => c.Warnings), counts.Sum(c => c.Errors));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
            if (KeepLogsAt is { } keep)
            {
                File.Copy(process.LogPath, $"{keep}.{process.Name}.log", overwrite: true);
            }
        }

        await DropDatabaseAsync();
        try
        {
            Directory.Delete(_workDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Drops the run's database once the processes are gone. Not WITH (FORCE): that needs
    /// the right to end every session, and an autovacuum worker busy on the new database is not
    /// ours to end; a plain drop ends autovacuum itself and waits a moment for the killed
    /// processes' sessions, so it is tried a few times.</summary>
    private async Task DropDatabaseAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_serverConnection);
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\"", connection);
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (NpgsqlException) when (attempt < 10)
            {
                await Task.Delay(TimeSpan.FromSeconds(1)); // the killed processes' sessions are still ending
            }
            catch (NpgsqlException failure)
            {
                await _progress.WriteLineAsync($"Could not drop the cluster's database {_database}: {failure.Message}");
                return;
            }
        }
    }

    private async Task CreateDatabaseAsync(CancellationToken token)
    {
        await using var connection = new NpgsqlConnection(_serverConnection);
        await connection.OpenAsync(token);
        _serverVersion = connection.PostgreSqlVersion.ToString();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
        await create.ExecuteNonQueryAsync(token);
    }

    private async Task StartSilosAsync(int first, int count, string dll, Dictionary<string, string> environment, TextWriter progress, CancellationToken token)
    {
        var started = new List<(ChildProcess Process, Uri Http)>();
        for (var n = first; n < first + count; n++)
        {
            var ports = LoopbackPorts.Free(4);
            var http = new Uri($"http://127.0.0.1:{ports[1]}");
            var process = Start($"silo-{n}", dll,
            [
                "--ProductOps:Silo:Gateway=false",
                $"--ProductOps:Silo:SiloPort={ports[2]}",
                $"--ProductOps:Silo:GatewayPort={ports[3]}",
                $"--ProductOps:DataDir={Path.Combine(_workDir, $"silo-{n}")}",
                $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{ports[0]}",
                $"--Kestrel:Endpoints:Http:Url={http}",
            ], environment);
            await progress.WriteLineAsync($"Starting silo-{n} (pid {process.Pid}), silo port {ports[2]}");
            started.Add((process, http));
        }

        await Task.WhenAll(started.Select(s => s.Process.WaitHealthyAsync(s.Http, token)));
    }

    private ChildProcess Start(string name, string dll, IEnumerable<string> args, Dictionary<string, string> environment)
    {
        var process = ChildProcess.Start(name, dll, args, environment, _workDir, Path.Combine(_workDir, name + ".log"));
        _processes.Add(process);
        return process;
    }
}
