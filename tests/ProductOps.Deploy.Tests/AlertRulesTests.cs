using System.Diagnostics;
using ProductOps.Testing;

namespace ProductOps.Deploy.Tests;

/// <summary>deploy/prometheus's alerting rules, evaluated by Prometheus' own promtool (Debian's
/// prometheus package; tools/test.sh installs it): valid, and each alert fires exactly in the
/// scenarios of productops-alerts.test.yaml. That the metrics they name are ones a node serves is
/// MetricsTests' part.</summary>
public sealed class AlertRulesTests
{
    private static readonly string Folder = Path.Combine(RepoLayout.Root, "deploy", "prometheus");

    [Fact]
    public async Task AlertRules_Valid()
    {
        var (exitCode, output) = await PromtoolAsync("check", "rules", "productops-alerts.yaml");

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task AlertRules_FireInTheirTestedScenariosOnly()
    {
        var (exitCode, output) = await PromtoolAsync("test", "rules", "productops-alerts.test.yaml");

        Assert.True(exitCode == 0, output);
    }

    private static async Task<(int ExitCode, string Output)> PromtoolAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("promtool")
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process promtool;
        try
        {
            promtool = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("promtool is not installed: tools/test.sh installs it (apt-get install prometheus)", e);
        }

        using (promtool)
        {
            var output = promtool.StandardOutput.ReadToEndAsync();
            var errors = promtool.StandardError.ReadToEndAsync();
            await promtool.WaitForExitAsync();
            return (promtool.ExitCode, $"promtool {string.Join(' ', arguments)}:{Environment.NewLine}{await output}{await errors}");
        }
    }
}
