using System.Diagnostics;
using System.Net;

namespace ProductOps.Bench;

/// <summary>One ProductOps process the harness started (`dotnet &lt;dll&gt;`), its whole output
/// kept in a log file; awaited on its /healthz, killed (this process only) on disposal.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ChildProcess(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public string LogPath { get; }

    /// <summary>Starts `dotnet <paramref name="dll"/> <paramref name="args"/>` in <paramref name="workingDir"/>,
    /// in the Production environment, with <paramref name="environment"/> added (secrets go there,
    /// never on the command line).</summary>
    public static ChildProcess Start(string name, string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment,
        string workingDir, string logPath)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Not built: {dll}. Run `dotnet build -c Release ProductOps.sln`, or give the path.");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDir,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {name}");
        process.OutputDataReceived += (_, line) => Write(log, line.Data);
        process.ErrorDataReceived += (_, line) => Write(log, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(name, process, log, logPath);
    }

    public async Task WaitHealthyAsync(Uri http, CancellationToken token)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + HealthTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}; see {LogPath}");
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

        throw new TimeoutException($"{Name} did not become healthy in {HealthTimeout.TotalSeconds:F0} s; see {LogPath}");
    }

    /// <summary>Warning and error lines in the log so far (Orleans and ProductOps categories).</summary>
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
    }

    /// <summary>A project's Release build output in this repository.</summary>
    public static string BuiltDll(string folder, string project, string dll)
    {
        var root = RepoInfo.FindRoot() ?? throw new FileNotFoundException(
            $"Cannot find the repository (ProductOps.sln) above the harness; give the path of {dll}.");
        return Path.Combine(root, folder, project, "bin", "Release", "net10.0", dll);
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
}
