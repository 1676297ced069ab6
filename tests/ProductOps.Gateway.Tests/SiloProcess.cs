using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using ProductOps.Contracts.V1;

namespace ProductOps.Gateway.Tests;

/// <summary>
/// One all-in-one node (silo + gateway + embedded store) run as a real child process from the
/// silo's build output, on loopback ports of its own, configured by command-line arguments. Its
/// stdout and stderr are kept for failure messages.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private const int MaxKeptLines = 400;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DefaultCheckpointInterval = TimeSpan.FromMilliseconds(500);

    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private GrpcChannel? _channel;

    private SiloProcess(Process process, int grpcPort, int httpPort)
    {
        _process = process;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
    }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress($"http://127.0.0.1:{GrpcPort}");

    public IngestService.IngestServiceClient Ingest => new(Channel);

    public QueryService.QueryServiceClient Query => new(Channel);

    /// <summary>The last lines the process wrote to stdout and stderr.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return $"--- silo pid {_process.Id}, last {_output.Count} lines of output ---{Environment.NewLine}{string.Join(Environment.NewLine, _output)}";
            }
        }
    }

    /// <summary>Starts a node on <paramref name="dataDir"/> and waits until /healthz answers.</summary>
    /// <param name="dataDir">The node's data directory (event log and grain state).</param>
    /// <param name="checkpointInterval">How often partitions checkpoint; 0.5 s unless given, to keep tests quick.</param>
    /// <param name="settings">More configuration, as keys ("ProductOps:Churn:RescoreDelay") and values.</param>
    public static async Task<SiloProcess> StartAsync(string dataDir, TimeSpan? checkpointInterval = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var silo = Launch(dataDir, localTrial: true, checkpointInterval: checkpointInterval, settings: settings);
        try
        {
            await silo.WaitUntilHealthyAsync(StartTimeout);
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the process without waiting for it to become healthy.</summary>
    public static SiloProcess Launch(string dataDir, bool localTrial, string environmentName = "Production", TimeSpan? checkpointInterval = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        if (!File.Exists(RepoLayout.SiloDll))
        {
            throw new FileNotFoundException($"the silo is not built for {RepoLayout.Configuration}; build the solution first", RepoLayout.SiloDll);
        }

        var ports = FreePorts(4);
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = dataDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepoLayout.SiloDll);
        start.ArgumentList.Add($"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{ports[0]}");
        start.ArgumentList.Add($"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{ports[1]}");
        start.ArgumentList.Add($"--ProductOps:Silo:SiloPort={ports[2]}");
        start.ArgumentList.Add($"--ProductOps:Silo:GatewayPort={ports[3]}");
        start.ArgumentList.Add($"--ProductOps:DataDir={dataDir}");
        start.ArgumentList.Add($"--ProductOps:Pipeline:CheckpointInterval={checkpointInterval ?? DefaultCheckpointInterval:c}");
        if (localTrial)
        {
            start.ArgumentList.Add("--ProductOps:LocalTrial=true");
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["DOTNET_ENVIRONMENT"] = environmentName;
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");

        var process = new Process { StartInfo = start };
        var silo = new SiloProcess(process, ports[0], ports[1]);
        process.OutputDataReceived += (_, line) => silo.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => silo.Keep(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Polls /healthz until it answers 200 "Healthy"; fails early if the process exits.</summary>
    public async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        var started = Stopwatch.StartNew();
        var health = new Uri($"http://127.0.0.1:{HttpPort}/healthz");
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited with code {_process.ExitCode} before it was healthy{Environment.NewLine}{Output}");
            }

            try
            {
                using var response = await _http.GetAsync(health);
                if (response.StatusCode == HttpStatusCode.OK && await response.Content.ReadAsStringAsync() == "Healthy")
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            if (started.Elapsed > timeout)
            {
                throw new TimeoutException($"the silo was not healthy within {timeout.TotalSeconds} s{Environment.NewLine}{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the silo did not exit within {timeout.TotalSeconds} s{Environment.NewLine}{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>A graceful stop: SIGTERM, as a process manager sends it, then waits for the exit.</summary>
    public async Task<int> StopAsync()
    {
        var kill = new ProcessStartInfo("kill") { UseShellExecute = false };
        kill.ArgumentList.Add("-TERM");
        kill.ArgumentList.Add(_process.Id.ToString(CultureInfo.InvariantCulture));
        using (var signal = Process.Start(kill) ?? throw new InvalidOperationException("could not run kill"))
        {
            await signal.WaitForExitAsync();
        }

        return await WaitForExitAsync(StopTimeout);
    }

    /// <summary>A crash: SIGKILL, no chance to flush or persist anything.</summary>
    public async Task CrashAsync()
    {
        _process.Kill(entireProcessTree: false);
        await WaitForExitAsync(StopTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > MaxKeptLines)
            {
                _output.Dequeue();
            }
        }
    }

    /// <summary>The dotnet host running these tests, so the silo runs on the same runtime.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    /// <summary>Ports the OS hands out for port 0, all held open together so they differ.</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }
}
