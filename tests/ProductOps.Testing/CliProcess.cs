using System.Diagnostics;

namespace ProductOps.Testing;

/// <summary>The productops CLI run as an operator runs it: its build output as a child process,
/// with its exit code and both output streams.</summary>
public static class CliProcess
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"productops {string.Join(' ', args)} ran over {Patience}");
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary>Starts a command that runs until interrupted (a watch); its output is read as it
    /// comes. Started with SIGINT's default handling: a run started in the background by a shell
    /// without job control ignores SIGINT, its children inherit that, and .NET then keeps
    /// ignoring it (as under nohup), so no Ctrl+C could reach the CLI.</summary>
    public static RunningCli Start(params string[] args) =>
        new(Process.Start(StartInfo(args, defaultSigint: true)) ?? throw new InvalidOperationException("dotnet did not start"), Patience);

    private static ProcessStartInfo StartInfo(string[] args, bool defaultSigint = false)
    {
        // coreutils' env resets the signal, then runs dotnet in the same process (same pid).
        var start = new ProcessStartInfo(defaultSigint ? "env" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (defaultSigint)
        {
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(RepoLayout.CliDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("ProductOps__Postgres__ConnectionString");
        return start;
    }
}
