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
            var report = await RunToReportAsync(json, "--tiny", "--json", json, "--silo-dll", SiloDll());

            AssertEveryFigure(report);
            Assert.StartsWith("all-in-one node", report["mode"]!.GetValue<string>(), StringComparison.Ordinal);

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
            DeleteRunFiles(json);
        }
    }

    /// <summary>The cluster mode: a fresh database on the test server, two silo processes and a
    /// gateway process, every phase through the gateway; the database's CPU is reported beside the
    /// node's, no process log holds the database password, and the database is gone afterwards.</summary>
    [Fact]
    public async Task TinyRun_AgainstPostgresClusterItStarts_ReportsEveryFigureAndCleansUp()
    {
        var server = Environment.GetEnvironmentVariable("PRODUCTOPS_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("PRODUCTOPS_TEST_POSTGRES is not set: run the tests with tools/test.sh, which starts PostgreSQL and sets it");
        var json = Path.Combine(Path.GetTempPath(), $"productops-bench-{Guid.NewGuid():N}.json");
        try
        {
            var report = await RunToReportAsync(json, "--tiny", "--cluster", "2", "--cluster-postgres", server, "--postgres", server,
                "--json", json, "--silo-dll", SiloDll());

            AssertEveryFigure(report);
            Assert.StartsWith("PostgreSQL cluster started by the harness: 2 silo processes and 1 gateway process", report["mode"]!.GetValue<string>(), StringComparison.Ordinal);
            var cpu = report["phases"]!["ingest"]!["saturation"]!["cpu"]!;
            Assert.True(cpu["node_cpu_percent"]!.GetValue<double>() > 0);
            Assert.True(cpu["database_cpu_percent"]!.GetValue<double>() > 0, "the event log's commits cost the server CPU");
            Assert.True(Number(report, "sql_ingest_rows_per_sec") > 0);

            var password = new Npgsql.NpgsqlConnectionStringBuilder(server).Password!;
            var logs = Directory.GetFiles(Path.GetDirectoryName(json)!, Path.GetFileName(json) + ".*.log");
            Assert.Equal(["gateway-1", "silo-1", "silo-2"], logs.Select(l => Path.GetFileNameWithoutExtension(l)[(Path.GetFileName(json).Length + 1)..]).Order());
            Assert.All(logs, log => Assert.DoesNotContain(password, File.ReadAllText(log), StringComparison.Ordinal));
            Assert.DoesNotContain(password, report.ToJsonString(), StringComparison.Ordinal);

            await using var connection = new Npgsql.NpgsqlConnection(server);
            await connection.OpenAsync();
            await using var left = new Npgsql.NpgsqlCommand("SELECT COUNT(*) FROM pg_database WHERE datname = $1", connection)
            {
                Parameters = { new() { Value = $"productops_bench_cluster_{report["run_id"]!.GetValue<string>()}" } },
            };
            Assert.Equal(0L, await left.ExecuteScalarAsync());
        }
        finally
        {
            DeleteRunFiles(json);
        }
    }

    private static async Task<JsonObject> RunToReportAsync(string json, params string[] args)
    {
        var (exitCode, output) = await RunHarnessAsync(args);
        Assert.True(exitCode == 0, $"harness exited with {exitCode}:\n{output}");
        return JsonNode.Parse(await File.ReadAllTextAsync(json))!.AsObject();
    }

    /// <summary>Every figure the issue asks for is there, and the churn queries ran on a model the
    /// harness trained and the node served and swept.</summary>
    private static void AssertEveryFigure(JsonObject report)
    {
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
        // Read through the node's diagnostics port (a few hundred users are too few for its sign to mean anything).
        Assert.True(report["live_heap_bytes_per_user"] is not null, report["phases"]!["memory"]!.ToJsonString());
        Assert.True(report["machine"]!["cores"]!.GetValue<int>() > 0);
        Assert.True(report["machine"]!["memory_bytes"]!.GetValue<long>() > 0);
        Assert.Contains("--tiny", report["command"]!.GetValue<string>(), StringComparison.Ordinal);
        // The collector's settings the node ran with are named (none here: the defaults).
        Assert.NotNull(report["node_gc_settings"]);
        // Each load step read the node's collections through its diagnostics port.
        var gc = report["phases"]!["ingest"]!["saturation"]!["gc"]!;
        Assert.True(gc["collections"]!["gen0"]!.GetValue<int>() >= 0 && gc["paused_percent"]!.GetValue<double>() >= 0, gc.ToJsonString());

        // The query paths were warmed before any figure was taken: each query answered there first.
        var warmQueries = report["warm_up"]!["queries"]!;
        foreach (var name in (string[])["get_user", "get_feature", "get_overview"])
        {
            Assert.True(warmQueries[name]?["count"]?.GetValue<int>() > 0, $"{name} not warmed: {warmQueries.ToJsonString()}");
        }

        // The tiny profile's one search probe ran, whichever way it went.
        var held = report["phases"]!["ingest"]!["held_load"]!;
        Assert.Equal(25, held["ack_p99_bound_ms"]!.GetValue<double>());
        var probe = Assert.Single(held["probes"]!.AsArray())!;
        Assert.True(probe["acked_events_per_sec"]!.GetValue<double>() > 0);
        Assert.Contains(report["targets"]!.AsArray(), t => t!["figure"]!.GetValue<string>() == "highest load with ack p99 <= 25 ms");

        var churn = report["phases"]!["churn_queries"]!;
        Assert.Equal("Succeeded", churn["training"]!["status"]!.GetValue<string>());
        Assert.True(churn["sweep"]!["scored_users"]!.GetValue<long>() > 0);
        Assert.True(Number(report, "get_churn_risk_p99_ms") > 0);
        Assert.True(Number(report, "list_at_risk_p99_ms") > 0);
        Assert.Equal(0, churn["query_errors"]!.GetValue<long>());
    }

    /// <summary>The report and the process logs the harness keeps beside it.</summary>
    private static void DeleteRunFiles(string json)
    {
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(json)!, Path.GetFileName(json) + "*"))
        {
            File.Delete(file);
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
