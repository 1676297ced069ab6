using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace ProductOps.Testing;

/// <summary>
/// A ProductOps host (a silo, an all-in-one node, a gateway) run as a real child process on
/// loopback, for tests that crash, stop and restart it. Its last lines of output are kept for
/// failure messages and all of it is written to <see cref="LogPath"/> for a look after a run.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private const int MaxKeptLines = 400;
    private static readonly TimeSpan ExitPatience = TimeSpan.FromSeconds(60);

    /// <summary>How long children's logs are kept: a full test run writes ~20 MB of them, and a
    /// developer's machine would otherwise keep every run's.</summary>
    private static readonly TimeSpan LogsKept = TimeSpan.FromDays(2);

    private static int _oldLogsPruned;

    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private StreamWriter? _log; // one open file for the whole output, not an open per line

    private HostProcess(string name, Process process, int httpPort)
    {
        Name = name;
        _process = process;
        HttpPort = httpPort;
    }

    public string Name { get; }

    /// <summary>The port of the host's HTTP endpoint (/healthz).</summary>
    public int HttpPort { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Where the whole output is written, named by process id and <see cref="Name"/>.</summary>
    public string LogPath => Path.Combine(LogFolder, $"{_process.Id}-{Name}.log");

    private static string LogFolder => Path.Combine(Path.GetTempPath(), "productops-nodes");

    /// <summary>The last lines the process wrote to stdout and stderr.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return $"--- {Name}, pid {_process.Id}, last {_output.Count} lines of output ---{Environment.NewLine}{string.Join(Environment.NewLine, _output)}";
            }
        }
    }

    /// <summary>Everything the process wrote so far (from <see cref="LogPath"/>), for checks that
    /// must see all of it, such as a secret never being logged.</summary>
    public string FullOutput
    {
        get
        {
            lock (_output)
            {
                using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
                return reader.ReadToEnd();
            }
        }
    }

    /// <summary>Starts <paramref name="dll"/> with <paramref name="arguments"/>; environment
    /// variables given a null value are removed from what the child inherits. A
    /// <paramref name="launcher"/> (a program and its arguments) runs the dotnet host and its
    /// arguments instead, and must exec it, so the process id stays the host's.</summary>
    public static HostProcess Start(
        string name,
        string dll,
        int httpPort,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        IReadOnlyList<string>? launcher = null)
    {
        var start = new ProcessStartInfo(launcher is { Count: > 0 } ? launcher[0] : DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        if (launcher is { Count: > 0 })
        {
            foreach (var argument in launcher.Skip(1))
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add(DotnetHost());
        }

        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = start };
        var host = new HostProcess(name, process, httpPort);
        process.OutputDataReceived += (_, line) => host.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => host.Keep(line.Data);
        Directory.CreateDirectory(LogFolder);
        PruneOldLogs();
        process.Start();
        host._log = new StreamWriter(new FileStream(host.LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Deletes logs older than <see cref="LogsKept"/>, once per test process.</summary>
    private static void PruneOldLogs()
    {
        if (Interlocked.Exchange(ref _oldLogsPruned, 1) == 1)
        {
            return;
        }

        var cutoff = DateTime.UtcNow - LogsKept;
        foreach (var file in Directory.EnumerateFiles(LogFolder, "*.log"))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(file) < cutoff)
                {
                    File.Delete(file);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's or a still-running child's file: not ours to remove.
            }
        }
    }

    /// <summary>Polls /healthz until it answers 200 "Healthy"; fails at once if the process exits.</summary>
    public async Task WaitHealthyAsync(TimeSpan patience)
    {
        var started = Stopwatch.StartNew();
        var health = new Uri($"http://127.0.0.1:{HttpPort}/healthz");
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before it was healthy{Environment.NewLine}{Output}");
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

            if (started.Elapsed > patience)
            {
                throw new TimeoutException($"{Name} was not healthy within {patience.TotalSeconds} s{Environment.NewLine}{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan patience)
    {
        using var cancel = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {patience.TotalSeconds} s{Environment.NewLine}{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>A graceful stop: SIGTERM, as a process manager sends it, then waits for the exit.</summary>
    public async Task<int> StopAsync(TimeSpan? patience = null)
    {
        var kill = new ProcessStartInfo("kill") { UseShellExecute = false };
        kill.ArgumentList.Add("-TERM");
        kill.ArgumentList.Add(_process.Id.ToString(CultureInfo.InvariantCulture));
        using (var signal = Process.Start(kill) ?? throw new InvalidOperationException("could not run kill"))
        {
            await signal.WaitForExitAsync();
        }

        return await WaitForExitAsync(patience ?? ExitPatience);
    }

    /// <summary>A crash: SIGKILL, no chance to flush, persist or leave the cluster. Returns once
    /// the process is gone.</summary>
    public void Crash()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(); // also waits for the last output lines
        lock (_output)
        {
            _log?.Dispose();
            _log = null;
        }

        _process.Dispose();
    }

    /// <summary>The dotnet host running the tests, so the child runs on the same runtime.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

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

            _log?.WriteLine(line);
        }
    }
}
