using System.Diagnostics;

namespace ProductOps.Client.Tests;

/// <summary>The productops CLI run as an operator runs it: its build output as a child process,
/// with its exit code and both output streams.</summary>
internal static class CliProcess
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliDll());
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("ProductOps__Postgres__ConnectionString");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
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

    /// <summary>Beside this assembly's output: tools/ProductOps.Cli/bin/&lt;configuration&gt;/&lt;framework&gt;/.</summary>
    private static string CliDll()
    {
        var output = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        for (var folder = output; folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ProductOps.sln")))
            {
                return Path.Combine(folder.FullName, "tools", "ProductOps.Cli", "bin", configuration, framework, "productops.dll");
            }
        }

        throw new InvalidOperationException($"no folder above {output.FullName} holds ProductOps.sln");
    }
}
