using System.Text.Json;

namespace ProductOps.Bench;

/// <summary>Prints the report's header, figures and targets, and writes the JSON file.</summary>
internal static class BenchOutput
{
    public static async Task WriteAsync(BenchReport report, BenchOptions options, TextWriter output)
    {
        var root = report.Root;
        await output.WriteLineAsync();
        await output.WriteLineAsync($"ProductOps benchmark ({root["profile"]}) — {root["mode"]}");
        await output.WriteLineAsync($"command:  {root["command"]}");
        await output.WriteLineAsync($"machine:  {root["machine"]!.ToJsonString()}");
        await output.WriteLineAsync($"versions: {root["versions"]!.ToJsonString()}");
        await output.WriteLineAsync();
        foreach (var key in new[]
        {
            "ingest_events_per_sec", "ack_load_events_per_sec", "ack_p50_ms", "ack_p99_ms", "ack_max_ms",
            "freshness_user_p50_ms", "freshness_user_p99_ms", "freshness_feature_p50_ms", "freshness_feature_p99_ms",
            "freshness_probes_timed_out", "freshness_probes_failed", "get_user_p50_ms", "get_user_p99_ms", "get_feature_p50_ms", "get_feature_p99_ms",
            "get_overview_p99_ms", "bytes_per_user", "live_heap_bytes_per_user", "naive_events_per_sec", "streaming_vs_naive",
            "get_user_idle_p50_ms", "get_feature_idle_p50_ms", "get_feature_idle_p99_ms",
            "sql_ingest_rows_per_sec", "sql_query_p50_ms", "getfeature_vs_sql_speedup", "getfeature_idle_vs_sql_speedup", "sql_skipped",
        })
        {
            var value = root[key];
            await output.WriteLineAsync($"  {key,-28} {(value is null ? "null" : value.ToJsonString(JsonSerializerOptions.Default).Trim('"'))}");
        }

        await output.WriteLineAsync();
        await output.WriteAsync(report.Table());
        if (options.JsonPath is { } path)
        {
            await report.WriteJsonAsync(path);
            await output.WriteLineAsync($"\nJSON: {Path.GetFullPath(path)}");
        }
    }
}
