using Grpc.Net.Client;
using ProductOps.Contracts.V1;
using ProductOps.Processes;
using ProductOps.Testing;

namespace ProductOps.Gateway.Tests;

/// <summary>
/// One all-in-one node (silo + gateway + embedded store) run as a real child process from the
/// silo's build output (<see cref="HostProcess"/>), on loopback ports of its own, configured by
/// command-line arguments, with a gRPC channel to it.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DefaultCheckpointInterval = TimeSpan.FromMilliseconds(500);

    private readonly HostProcess _host;
    private GrpcChannel? _channel;

    private SiloProcess(HostProcess host, int grpcPort, int httpPort)
    {
        _host = host;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
    }

    public int GrpcPort { get; }

    /// <summary>The node's process id.</summary>
    public int ProcessId => _host.ProcessId;

    /// <summary>The HTTP/1.1 port: /healthz and /metrics.</summary>
    public int HttpPort { get; }

    public GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress($"http://127.0.0.1:{GrpcPort}");

    public IngestService.IngestServiceClient Ingest => new(Channel);

    public QueryService.QueryServiceClient Query => new(Channel);

    /// <summary>The last lines the process wrote to stdout and stderr.</summary>
    public string Output => _host.Output;

    /// <summary>Everything the process wrote so far.</summary>
    public string FullOutput => _host.FullOutput;

    /// <summary>Starts a node on <paramref name="dataDir"/> and waits until /healthz answers.</summary>
    /// <param name="dataDir">The node's data directory (event log and grain state).</param>
    /// <param name="checkpointInterval">How often partitions checkpoint; 0.5 s unless given, to keep tests quick.</param>
    /// <param name="settings">More configuration, as keys ("ProductOps:Churn:RescoreDelay") and values.</param>
    /// <param name="localTrial">A local trial (the demo tenant and its dev keys), as every test but a few wants.</param>
    /// <param name="grpcPort">The gRPC port, to restart a node where its clients look for it; a free one unless given.</param>
    /// <param name="launcher">A program (and its arguments) that execs the dotnet host, e.g. a shell that sets up limits first.</param>
    public static async Task<SiloProcess> StartAsync(
        string dataDir, TimeSpan? checkpointInterval = null, IReadOnlyDictionary<string, string>? settings = null, bool localTrial = true, int? grpcPort = null,
        IReadOnlyList<string>? launcher = null)
    {
        var silo = Launch(dataDir, localTrial, checkpointInterval: checkpointInterval, settings: settings, grpcPort: grpcPort, launcher: launcher);
        try
        {
            await silo._host.WaitHealthyAsync(StartTimeout);
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the process without waiting for it to become healthy.</summary>
    public static SiloProcess Launch(
        string dataDir, bool localTrial, string environmentName = "Production", TimeSpan? checkpointInterval = null, IReadOnlyDictionary<string, string>? settings = null, int? grpcPort = null,
        IReadOnlyList<string>? launcher = null)
    {
        var ports = LoopbackPorts.Free(4);
        ports[0] = grpcPort ?? ports[0];
        List<string> arguments =
        [
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{ports[0]}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{ports[1]}",
            $"--ProductOps:Silo:SiloPort={ports[2]}",
            $"--ProductOps:Silo:GatewayPort={ports[3]}",
            $"--ProductOps:DataDir={dataDir}",
            $"--ProductOps:Pipeline:CheckpointInterval={checkpointInterval ?? DefaultCheckpointInterval:c}",
        ];
        if (localTrial)
        {
            arguments.Add("--ProductOps:LocalTrial=true");
        }

        arguments.AddRange((settings ?? new Dictionary<string, string>()).Select(setting => $"--{setting.Key}={setting.Value}"));
        var environment = new Dictionary<string, string?> { ["DOTNET_ENVIRONMENT"] = environmentName, ["ASPNETCORE_ENVIRONMENT"] = null };
        var host = HostProcess.Start("node", RepoLayout.SiloDll, ports[1], arguments, environment, workingDirectory: dataDir, launcher: launcher);
        return new SiloProcess(host, ports[0], ports[1]);
    }

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _host.WaitForExitAsync(timeout);

    /// <summary>A graceful stop: SIGTERM, as a process manager sends it, then waits for the exit.</summary>
    public Task<int> StopAsync(TimeSpan? patience = null) => _host.StopAsync(patience);

    /// <summary>A crash: SIGKILL, no chance to flush or persist anything.</summary>
    public Task CrashAsync()
    {
        _host.Crash();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        await _host.DisposeAsync();
    }
}
