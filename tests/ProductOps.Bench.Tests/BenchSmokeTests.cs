using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ProductOps.Bench.Tests;

/// <summary>Runs the harness the way a user does (its own process, --tiny) against a node it starts,
/// and checks the report has every figure; speed is the benchmark's business, not this test's.</summary>
public sealed class BenchSmokeTests
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(5);

    private static readonly string[] TopLevelKeys =
    [
        "ingest_events_per_sec", "ack_p50_ms", "ack_p99_ms", "freshness_p99_ms", "query_p99_ms", "bytes_per_user",
        "naive_events_per_sec", "sql_ingest_rows_per_sec", "sql_query_p50_ms", "machine", "versions", "command", "targets",
    ];

    [Fact]
    public async Task TinyRun_AgainstNodeItStarts_ReportsEveryFigure()
    {
        var json = Path.Combine(Path.GetTempPath(), $"productops-bench-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, output) = await RunHarnessAsync("--tiny", "--json", json, "--silo-dll", SiloDll());
            Assert.True(exitCode == 0, $"harness exited with {exitCode}:\n{output}");
            var report = JsonNode.Parse(await File.ReadAllTextAsync(json))!.AsObject();

            foreach (var key in TopLevelKeys)
            {
                Assert.True(report.ContainsKey(key), $"missing key {key}");
            }

            Assert.True(Number(report, "ingest_events_per_sec") > 0);
            var p50 = Number(report, "ack_p50_ms");
            var p99 = Number(report, "ack_p99_ms");
            Assert.True(p50 > 0 && p50 <= p99, $"ack p50 {p50} p99 {p99}");
            Assert.True(Number(report, "freshness_p99_ms") > 0);
            Assert.True(Number(report, "query_p99_ms") > 0);
            Assert.True(Number(report, "naive_events_per_sec") > 0);
            Assert.NotNull(report["bytes_per_user"]);
            Assert.True(report["machine"]!["cores"]!.GetValue<int>() > 0);
            Assert.True(report["machine"]!["memory_bytes"]!.GetValue<long>() > 0);
            Assert.Contains("--tiny", report["command"]!.GetValue<string>(), StringComparison.Ordinal);

            // The churn queries ran on a model the harness trained and the node served and swept.
            var churn = report["phases"]!["churn_queries"]!;
            Assert.Equal("Succeeded", churn["training"]!["status"]!.GetValue<string>());
            Assert.True(churn["sweep"]!["scored_users"]!.GetValue<long>() > 0);
            Assert.True(Number(report, "get_churn_risk_p99_ms") > 0);
            Assert.True(Number(report, "list_at_risk_p99_ms") > 0);
            Assert.Equal(0, churn["query_errors"]!.GetValue<long>());

            // The SQL baseline either ran (figures) or says why it did not (and invents nothing).
            if (report["sql_skipped"] is null)
            {
                Assert.True(Number(report, "sql_ingest_rows_per_sec") > 0);
                Assert.True(Number(report, "sql_query_p50_ms") > 0);
            }
            else
            {
                Assert.Null(report["sql_ingest_rows_per_sec"]);
                Assert.Null(report["sql_query_p50_ms"]);
            }
        }
        finally
        {
            File.Delete(json);
        }
    }

    private static double Number(JsonObject report, string key)
    {
        Assert.True(report[key] is not null, $"{key} is null");
        return report[key]!.GetValue<double>();
    }

    private static async Task<(int ExitCode, string Output)> RunHarnessAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "productops-bench.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(RunLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the harness did not finish in {RunLimit}:\n{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The node built in the same configuration as this test (bin/&lt;Configuration&gt;/net10.0).</summary>
    private static string SiloDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var root = output;
        while (!File.Exists(Path.Combine(root.FullName, "ProductOps.sln")))
        {
            root = root.Parent ?? throw new DirectoryNotFoundException("repository root not found");
        }

        return Path.Combine(root.FullName, "silo", "ProductOps.Silo", "bin", configuration, framework, "ProductOps.Silo.dll");
    }
}
