using ProductOps.Processes;

namespace ProductOps.Bench;

/// <summary>The all-in-one node (embedded SQLite store) as a child process: free loopback ports, a
/// fresh temporary data folder, started and awaited on /healthz; disposal kills it and deletes the folder.</summary>
internal sealed class AllInOneNode : INodeUnderTest
{
    private readonly ChildProcess _process;
    private readonly string _dataDir;

    private AllInOneNode(ChildProcess process, string dataDir, Uri grpc, string siloDll)
    {
        _process = process;
        _dataDir = dataDir;
        Grpc = grpc;
        SiloDll = siloDll;
    }

    public Uri Grpc { get; }

    public NodeProcesses Processes => new([_process.Pid], CountDatabase: false);

    public string Mode => "all-in-one node started by the harness (embedded SQLite log)";

    public string SiloDll { get; }

    public string? KeepLogsAt { get; set; }

    public static async Task<AllInOneNode> StartAsync(string? siloDll, TextWriter progress, CancellationToken token)
    {
        var dll = siloDll ?? ChildProcess.BuiltDll("silo", "ProductOps.Silo", "ProductOps.Silo.dll");
        var ports = LoopbackPorts.Free(4);
        var dataDir = Directory.CreateTempSubdirectory("productops-bench-").FullName;
        var grpc = new Uri($"http://127.0.0.1:{ports[0]}");
        var http = new Uri($"http://127.0.0.1:{ports[1]}");
        var process = ChildProcess.Start("node", dll,
        [
            $"--Kestrel:Endpoints:Grpc:Url={grpc}",
            $"--Kestrel:Endpoints:Http:Url={http}",
            $"--ProductOps:DataDir={Path.Combine(dataDir, "data")}",
            $"--ProductOps:Silo:SiloPort={ports[2]}",
            $"--ProductOps:Silo:GatewayPort={ports[3]}",
            "--ProductOps:LocalTrial=true",
        ], new Dictionary<string, string>(), dataDir, Path.Combine(dataDir, "node.log"));
        var node = new AllInOneNode(process, dataDir, grpc, dll);
        await progress.WriteLineAsync($"Starting the node (pid {process.Pid}) on {grpc}, data in {dataDir}");
        try
        {
            await process.WaitHealthyAsync(http, token);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    public (int Warnings, int Errors) LogCounts() => _process.LogCounts();

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        if (KeepLogsAt is { } keep)
        {
            File.Copy(_process.LogPath, keep + ".node.log", overwrite: true);
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
