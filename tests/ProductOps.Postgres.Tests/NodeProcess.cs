using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ProductOps.Postgres.Tests;

/// <summary>A silo or gateway host started as its own OS process on loopback, with its output
/// kept for the test to inspect.</summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(string name, Process process, int httpPort)
    {
        Name = name;
        _process = process;
        HttpPort = httpPort;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int HttpPort { get; }

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The repository's build output of a host project, in this test's configuration.</summary>
    public static string HostDll(string projectFolder, string assembly)
    {
        var baseDir = AppContext.BaseDirectory; // .../tests/ProductOps.Postgres.Tests/bin/<Configuration>/net10.0/
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(baseDir)).Parent!.Name;
        var root = new DirectoryInfo(baseDir);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "ProductOps.sln")))
        {
            root = root.Parent;
        }

        var path = Path.Combine(root!.FullName, projectFolder, "bin", configuration, "net10.0", assembly + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("build the solution first", path);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static NodeProcess Start(string name, string dll, int httpPort, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new NodeProcess(name, Process.Start(start)!, httpPort);
    }

    /// <summary>Waits until the process answers /healthz with 200.</summary>
    public async Task WaitHealthyAsync(TimeSpan patience)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            Assert.False(_process.HasExited, $"{Name} exited:\n{Output}");
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/healthz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, $"{Name} not healthy after {patience}:\n{Output}");
            await Task.Delay(250);
        }
    }

    /// <summary>SIGKILL: the process gets no chance to flush or leave the cluster.</summary>
    public void Crash() => _process.Kill();

    /// <summary>SIGTERM, then waits for the graceful shutdown to finish.</summary>
    public async Task StopAsync(TimeSpan patience)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(patience);
        await _process.WaitForExitAsync(timeout.Token);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            File.AppendAllText(LogPath, line + System.Environment.NewLine);
        }
    }

    /// <summary>Where the process output is also written, for a look after a failed run.</summary>
    public string LogPath => Path.Combine(Path.GetTempPath(), "productops-nodes", $"{_process.Id}-{Name}.log");
}
