using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ProductOps.Testing;

/// <summary>A CLI command left running (a watch): its output as it comes, and Ctrl+C.</summary>
public sealed class RunningCli : IDisposable
{
    private readonly Process _process;
    private readonly TimeSpan _patience;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    internal RunningCli(Process process, TimeSpan patience)
    {
        _process = process;
        _patience = patience;
        _process.OutputDataReceived += (_, line) => Append(_output, line.Data);
        _process.ErrorDataReceived += (_, line) => Append(_error, line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

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

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Sends SIGINT, as Ctrl+C does, and waits for the exit code.</summary>
    public async Task<int> InterruptAsync()
    {
        using (var kill = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)])
            ?? throw new InvalidOperationException("kill did not start"))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(_patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Once seen under a loaded full run: say what the CLI had printed, to tell where it stood.
            throw new TimeoutException($"the CLI did not exit within {_patience} of SIGINT; it printed:{Environment.NewLine}{Tail(Output)}{Environment.NewLine}and on stderr:{Environment.NewLine}{Tail(Error)}");
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static string Tail(string text) => text.Length <= 2_000 ? text : text[^2_000..];

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }
}
