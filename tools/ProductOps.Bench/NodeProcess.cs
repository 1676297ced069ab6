using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ProductOps.Bench;

/// <summary>The all-in-one node as a child process: free loopback ports, a fresh temporary data
/// folder, started and awaited on /healthz; disposal kills it (this child only) and deletes the folder.</summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDir;
    private readonly StreamWriter _log;

    private NodeProcess(Process process, string dataDir, Uri grpc, string siloDll, StreamWriter log)
    {
        _process = process;
        _dataDir = dataDir;
        Grpc = grpc;
        SiloDll = siloDll;
        _log = log;
    }

    public Uri Grpc { get; }

    public string SiloDll { get; }

    public int Pid => _process.Id;

    public string LogPath => Path.Combine(_dataDir, "node.log");

    public static async Task<NodeProcess> StartAsync(string? siloDll, TextWriter progress, CancellationToken token)
    {
        var dll = siloDll ?? DefaultSiloDll();
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException(
                $"The node is not built: {dll}. Run `dotnet build -c Release ProductOps.sln`, or give --silo-dll / --address.");
        }

        var ports = FreePorts(4);
        var dataDir = Directory.CreateTempSubdirectory("productops-bench-").FullName;
        var grpc = new Uri($"http://127.0.0.1:{ports[0]}");
        var http = new Uri($"http://127.0.0.1:{ports[1]}");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDir,
        };
        foreach (var arg in new[]
        {
            dll,
            $"--Kestrel:Endpoints:Grpc:Url={grpc}",
            $"--Kestrel:Endpoints:Http:Url={http}",
            $"--ProductOps:DataDir={Path.Combine(dataDir, "data")}",
            $"--ProductOps:Silo:SiloPort={ports[2]}",
            $"--ProductOps:Silo:GatewayPort={ports[3]}",
            "--ProductOps:LocalTrial=true",
        })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var log = new StreamWriter(Path.Combine(dataDir, "node.log")) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the node");
        process.OutputDataReceived += (_, line) => Write(log, line.Data);
        process.ErrorDataReceived += (_, line) => Write(log, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new NodeProcess(process, dataDir, grpc, dll, log);
        await progress.WriteLineAsync($"Starting the node (pid {process.Id}) on {grpc}, data in {dataDir}");
        try
        {
            await node.WaitHealthyAsync(http, token);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    /// <summary>Where the node's log is copied when the node is stopped (null: not kept).</summary>
    public string? KeepLogAt { get; set; }

    /// <summary>Warning and error lines in the node's log so far (Orleans and ProductOps categories).</summary>
    public (int Warnings, int Errors) LogCounts()
    {
        lock (_log)
        {
            _log.Flush();
        }

        int warnings = 0, errors = 0;
        using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        while (reader.ReadLine() is { } line)
        {
            warnings += line.StartsWith("warn:", StringComparison.Ordinal) ? 1 : 0;
            errors += line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal) ? 1 : 0;
        }

        return (warnings, errors);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }

        if (KeepLogAt is { } keep)
        {
            File.Copy(LogPath, keep, overwrite: true);
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

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.BaseStream.CanWrite)
            {
                log.WriteLine(line);
            }
        }
    }

    private async Task WaitHealthyAsync(Uri http, CancellationToken token)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The node exited with code {_process.ExitCode}; see {LogPath}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(http, "/healthz"), token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!token.IsCancellationRequested)
            {
            }

            await Task.Delay(250, token);
        }

        throw new TimeoutException($"The node did not become healthy in 90 s; see {LogPath}");
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    private static string DefaultSiloDll()
    {
        var root = RepoInfo.FindRoot() ?? throw new FileNotFoundException(
            "Cannot find the repository (ProductOps.sln) above the harness; give --silo-dll or --address.");
        return Path.Combine(root, "silo", "ProductOps.Silo", "bin", "Release", "net10.0", "ProductOps.Silo.dll");
    }
}
