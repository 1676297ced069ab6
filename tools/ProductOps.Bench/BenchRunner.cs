using System.Globalization;
using System.Text.Json.Nodes;

namespace ProductOps.Bench;

/// <summary>Runs the phases in order against one node and assembles the report.</summary>
internal sealed class BenchRunner(BenchOptions options, IReadOnlyList<string> args, TextWriter progress)
{
    private const double AckP99TargetMs = 25;

    /// <summary>What the warm-up reached; the saturation run prepares events for several times it.</summary>
    public double WarmUpRate { get; private set; }

    public async Task<BenchReport> RunAsync(CancellationToken token)
    {
        var report = new BenchReport();
        var runId = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next()))[..6];
        INodeUnderTest? node = null;
        try
        {
            if (options.Address is null)
            {
                node = options.ClusterSilos > 0
                    ? await PostgresClusterNodes.StartAsync(options.ClusterSilos, options.ClusterPostgres!, runId, options.SiloDll,
                        options.GatewayDll, progress, token)
                    : await AllInOneNode.StartAsync(options.SiloDll, progress, token);
                node.KeepLogsAt = options.JsonPath;
            }

            var address = options.Address ?? node!.Grpc;
            var pid = node?.Processes ?? new NodeProcesses(options.NodePids, CountDatabase: false);
            var mode = node?.Mode ?? $"external node or gateway at {address}";
            Describe(report, runId, mode, node?.SiloDll ?? options.SiloDll);
            report.Set("node_gc_settings", MachineInfo.NodeGcSettings(pid));
            await progress.WriteLineAsync($"Mode: {mode}; run {runId}; {options.Profile} profile");

            using var connection = new BenchConnection(address, options.IngestKey, options.ReadKey, options.AdminKey);
            var workload = new WorkloadGenerator(options.Seed, options.Users, options.Features, options.Days,
                options.SqlEvents, runId, DateTimeOffset.UtcNow);
            report.Set("warm_up", await WarmUpAsync(connection, workload, pid, token));

            var memory = new MemoryPhase(options, connection, workload, pid, progress);
            await memory.RunAsync(token);
            var ingest = new IngestPhase(options, connection, workload, pid, progress);
            await ingest.RunAsync(options.MaxRate ?? Math.Max(50_000, (int)(WarmUpRate * 4)), token);
            var queries = new QueryUnderLoadPhase(options, connection, workload, runId, pid, progress);
            await queries.RunAsync(ingest.LoadBase, token);
            var naive = new NaivePhase(options, connection, workload, pid, progress);
            await naive.RunAsync(token);
            var idle = new IdleQueryPhase(options, connection, workload, progress);
            await idle.RunAsync(token);
            var churn = new ChurnQueryPhase(options, connection, workload, pid, progress);
            await churn.RunAsync(ingest.LoadBase, token);

            // The baseline database gets the machine to itself, as ProductOps had.
            if (node is not null)
            {
                var (warnings, errors) = node.LogCounts();
                report.Set("node_log", new JsonObject
                {
                    ["warnings"] = warnings,
                    ["errors"] = errors,
                    ["kept_at"] = node.KeepLogsAt is { } keep ? keep + ".*.log" : null,
                });
                await node.DisposeAsync();
                node = null;
            }

            var sql = new SqlBaselinePhase(options, workload, runId, progress);
            await sql.RunAsync(token);

            Summarize(report, ingest, queries, idle, churn, memory, naive, sql);
            report.Root["machine"]!["load_average_at_end"] = MachineInfo.LoadAverage();
            return report;
        }
        finally
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
    }

    private void Describe(BenchReport report, string runId, string mode, string? siloDll)
    {
        report.Set("command", "dotnet run -c Release --project tools/ProductOps.Bench --"
            + string.Concat(BenchOptions.Redacted(args).Select(a => " " + (a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a))));
        report.Set("mode", mode);
        report.Set("profile", options.Profile.ToString().ToLowerInvariant());
        report.Set("run_id", runId);
        report.Set("started_utc", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        report.Set("machine", MachineInfo.Describe());
        report.Set("versions", MachineInfo.Versions(siloDll));
        report.Set("parameters", new JsonObject
        {
            ["seed"] = options.Seed,
            ["users"] = options.Users,
            ["features"] = options.Features,
            ["days"] = options.Days,
            ["batch_size"] = options.BatchSize,
            ["in_flight_per_stream"] = options.InFlight,
            ["streams"] = options.Streams,
            ["saturation_seconds"] = options.SaturationDuration.TotalSeconds,
            ["step_seconds"] = options.StepDuration.TotalSeconds,
            ["loads"] = new JsonArray([.. options.Loads.Select(l => (JsonNode)l)]),
            ["search_probes"] = options.SearchProbes,
            ["ack_bound_ms"] = options.AckBoundMs,
            ["query_seconds"] = options.QueryDuration.TotalSeconds,
            ["query_rate_per_sec"] = options.QueryRate,
            ["probes"] = options.Probes,
            ["memory_users"] = options.MemoryUsers,
            ["churn_users"] = options.ChurnUsers,
            ["churn_days"] = options.ChurnDays,
            ["naive_concurrency"] = options.NaiveConcurrency,
            ["sql_events"] = options.SqlEvents,
            ["cluster_silos"] = options.ClusterSilos,
        });
    }

    private async Task<JsonObject> WarmUpAsync(BenchConnection connection, WorkloadGenerator workload, NodeProcesses pid, CancellationToken token)
    {
        // JIT, connection set-up and the partition grains' activation are not part of any figure:
        // nor are the query paths', whose first calls take tens of milliseconds (measured: GetUser
        // ~29 ms, GetFeature ~42 ms, then 2-8 ms), which would otherwise fall into the first
        // queries under load and the first freshness probes.
        var seconds = options.Profile == BenchProfile.Tiny ? 1 : 3;
        var batches = workload.PrepareBatches(20_000L * seconds, options.BatchSize);
        var driver = new StreamLoadDriver(connection, options.Streams, options.InFlight, pid);
        var warm = await driver.RunAsync(batches, null, TimeSpan.FromSeconds(seconds), token);
        if (warm.Error is not null || warm.EventsAcked == 0)
        {
            throw new InvalidOperationException($"warm-up failed: {warm.Error ?? "nothing acknowledged"}");
        }

        await progress.WriteLineAsync($"Warm-up: {warm.EventsAcked:N0} events acked, {warm.EventsPerSec:N0} events/s");
        WarmUpRate = warm.EventsPerSec;
        await connection.WaitForAggregatesAsync(TimeSpan.FromSeconds(60), token);
        var queries = new QueryLoad(QueryLoad.Analytics(connection, workload), 60, options.Seed);
        await queries.RunAsync(TimeSpan.FromSeconds(1), token);
        return new JsonObject
        {
            ["events_acked"] = warm.EventsAcked,
            ["events_per_sec"] = Math.Round(warm.EventsPerSec),
            ["queries"] = queries.ToJson(),
        };
    }

    private static void Summarize(BenchReport report, IngestPhase ingest, QueryUnderLoadPhase queries, IdleQueryPhase idle,
        ChurnQueryPhase churn, MemoryPhase memory, NaivePhase naive, SqlBaselinePhase sql)
    {
        var saturated = ingest.Saturation?.EventsPerSec;
        var at70 = ingest.At70;
        var freshUser = queries.Freshness.User.Summary();
        var freshFeature = queries.Freshness.Feature.Summary();
        report.Set("ingest_events_per_sec", saturated, 0);
        report.Set("ack_p50_ms", at70?.Ack?.P50);
        report.Set("ack_p99_ms", at70?.Ack?.P99);
        report.Set("ack_max_ms", at70?.Ack?.Max);
        report.Set("ack_load_events_per_sec", at70?.EventsPerSec, 0);
        report.Set("held_load_events_per_sec", ingest.Held.HeldEventsPerSec, 0);
        report.Set("held_load_ack_p99_ms", ingest.Held.HeldAckP99Ms);
        report.Set("freshness_user_p50_ms", freshUser?.P50);
        report.Set("freshness_user_p99_ms", freshUser?.P99);
        report.Set("freshness_feature_p50_ms", freshFeature?.P50);
        report.Set("freshness_feature_p99_ms", freshFeature?.P99);
        report.Set("freshness_p50_ms", Max(freshUser?.P50, freshFeature?.P50));
        report.Set("freshness_p99_ms", Max(freshUser?.P99, freshFeature?.P99));
        report.Set("freshness_probes_timed_out", queries.Freshness.TimedOut);
        report.Set("freshness_probes_failed", queries.Freshness.Failed);
        report.Set("get_user_p50_ms", queries.User?.P50);
        report.Set("get_user_p99_ms", queries.User?.P99);
        report.Set("get_feature_p50_ms", queries.Feature?.P50);
        report.Set("get_feature_p99_ms", queries.Feature?.P99);
        report.Set("get_overview_p99_ms", queries.Overview?.P99);
        report.Set("query_p99_ms", Max(queries.User?.P99, queries.Feature?.P99));
        report.Set("get_churn_risk_p50_ms", churn.ChurnRisk?.P50);
        report.Set("get_churn_risk_p99_ms", churn.ChurnRisk?.P99);
        report.Set("list_at_risk_p50_ms", churn.AtRisk?.P50);
        report.Set("list_at_risk_p99_ms", churn.AtRisk?.P99);
        report.Set("churn_query_p99_ms", Max(churn.ChurnRisk?.P99, churn.AtRisk?.P99));
        report.Set("get_churn_risk_idle_p99_ms", churn.IdleChurnRisk?.P99);
        report.Set("list_at_risk_idle_p99_ms", churn.IdleAtRisk?.P99);
        report.Set("bytes_per_user", memory.BytesPerUser, 0);
        report.Set("live_heap_bytes_per_user", memory.LiveHeapBytesPerUser, 0);
        report.Set("naive_events_per_sec", naive.EventsPerSec, 0);
        report.Set("streaming_vs_naive", Ratio(saturated, naive.EventsPerSec), 1);
        report.Set("sql_ingest_rows_per_sec", sql.RowsPerSec, 0);
        report.Set("sql_query_p50_ms", sql.FeatureQueryP50);
        report.Set("sql_skipped", sql.Skipped);
        report.Set("getfeature_vs_sql_speedup", Ratio(sql.FeatureQueryP50, queries.Feature?.P50), 3);
        report.Set("get_user_idle_p50_ms", idle.User?.P50);
        report.Set("get_feature_idle_p50_ms", idle.Feature?.P50);
        report.Set("get_feature_idle_p99_ms", idle.Feature?.P99);
        report.Set("getfeature_idle_vs_sql_speedup", Ratio(sql.FeatureQueryP50, idle.Feature?.P50), 3);
        report.Set("phases", new JsonObject
        {
            ["ingest"] = ingest.ToJson(),
            ["queries_under_load"] = queries.ToJson(),
            ["memory"] = memory.ToJson(),
            ["naive"] = naive.ToJson(),
            ["idle_queries"] = idle.ToJson(),
            ["churn_queries"] = churn.ToJson(),
            ["sql"] = sql.ToJson(),
        });

        report.AddTarget(new("durable acked ingest", ">= 150,000 events/s", saturated, "events/s", true, 150_000));
        report.AddTarget(new($"p99 ack at {ingest.SeventyPercentLoad}", "<= 25 ms", at70?.Ack?.P99, "ms", false, AckP99TargetMs));
        if (ingest.Held.FailedEventsPerSec is not null && ingest.Held.BoundMs == AckP99TargetMs)
        {
            // The issue's two ack targets at once: p99 within 25 ms at 70% of 150,000 events/s.
            report.AddTarget(new("highest load with ack p99 <= 25 ms", ">= 105,000 events/s",
                ingest.Held.HeldEventsPerSec ?? 0, "events/s", true, 105_000));
        }

        report.AddTarget(new("freshness p99 (GetUser, GetFeature)", "<= 250 ms", report.Get("freshness_p99_ms"), "ms", false, 250));
        report.AddTarget(new($"GetUser/GetFeature p99 under {ingest.SeventyPercentLoad}", "<= 5 ms", report.Get("query_p99_ms"), "ms", false, 5));
        report.AddTarget(new("memory per active user grain", "<= 4 KB", memory.BytesPerUser, "bytes", false, 4096));
        // The issue's figure is RSS (above); the live heap is what the grains and their state hold.
        report.AddTarget(new("memory per active user grain, live heap", "<= 4 KB", memory.LiveHeapBytesPerUser, "bytes", false, 4096));
        report.AddTarget(new("streaming vs naive unary", ">= 20x", report.Get("streaming_vs_naive"), "x", true, 20));
        report.AddTarget(new("GetFeature vs SQL at read time (p50, both idle)", ">= 100x", report.Get("getfeature_idle_vs_sql_speedup"), "x", true, 100));
        report.AddTarget(new($"GetFeature under {ingest.SeventyPercentLoad} vs SQL idle (p50)", ">= 100x", report.Get("getfeature_vs_sql_speedup"), "x", true, 100));
        report.AddTarget(new("ProductOps ingest vs SQL COPY ingest", ">= 1x", Ratio(saturated, sql.RowsPerSec), "x", true, 1));
    }

    private static double? Max(double? a, double? b) => a is { } x && b is { } y ? Math.Max(x, y) : null;

    private static double? Ratio(double? a, double? b) => a is { } x && b is { } y && y > 0 ? x / y : null;
}
