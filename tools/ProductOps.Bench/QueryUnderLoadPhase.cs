using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ProductOps.Bench;

/// <summary>Queries and freshness while ingesting at 70% of the saturated rate: GetUser, GetFeature
/// and GetOverview at a fixed total rate (open loop, latency from when each query was due), and
/// freshness probes spread over the phase.</summary>
internal sealed class QueryUnderLoadPhase(BenchOptions options, BenchConnection connection, WorkloadGenerator workload,
    string runId, NodeProcesses node, TextWriter progress)
{
    private readonly QueryLoad _queries = new(QueryLoad.Analytics(connection, workload), options.QueryRate, options.Seed);

    public FreshnessProbe Freshness { get; } = new(connection, runId);

    public LoadResult? Background { get; private set; }

    public LatencySummary? User => _queries.Of("get_user");

    public LatencySummary? Feature => _queries.Of("get_feature");

    public LatencySummary? Overview => _queries.Of("get_overview");

    public async Task RunAsync(double loadBase, CancellationToken token)
    {
        var rate = Math.Max(1, loadBase * 0.7);
        await progress.WriteLineAsync($"Queries: {options.QueryRate}/s (GetUser, GetFeature, GetOverview) and {options.Probes} freshness probes "
            + $"while ingesting {rate:N0} events/s (70%)");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var ingest = StreamLoadDriver.IngestAtRateAsync(options, connection, workload, node, rate, options.QueryDuration, token);
        var queries = _queries.RunAsync(options.QueryDuration, stop.Token);
        var probes = ProbeLoopAsync(options.QueryDuration, stop.Token);
        Background = await ingest;
        await queries;
        await probes;
        await progress.WriteLineAsync($"  GetUser p99 {User?.P99:F1} ms, GetFeature p99 {Feature?.P99:F1} ms, GetOverview p99 {Overview?.P99:F1} ms; "
            + $"freshness p99 user {Freshness.User.Summary()?.P99:F0} ms, feature {Freshness.Feature.Summary()?.P99:F0} ms");
        await progress.WriteLineAsync($"  from send: GetUser p99 {_queries.FromSendOf("get_user")?.P99:F1} ms, GetFeature p99 {_queries.FromSendOf("get_feature")?.P99:F1} ms; "
            + $"the harness sent queries late by p50 {_queries.SendLateness?.P50:F1} ms, p99 {_queries.SendLateness?.P99:F1} ms");
        if (Background.Gc is { } gc)
        {
            await progress.WriteLineAsync($"  the node meanwhile: {gc}");
        }
    }

    public JsonObject ToJson()
    {
        var json = _queries.ToJson();
        json["background_ingest"] = Background?.ToJson();
        return json;
    }

    private async Task ProbeLoopAsync(TimeSpan duration, CancellationToken token)
    {
        var spacing = duration / Math.Max(1, options.Probes);
        var clock = Stopwatch.StartNew();
        for (var n = 0; n < options.Probes && clock.Elapsed < duration; n++)
        {
            var next = spacing * (n + 1);
            await Freshness.ProbeAsync(n, token);
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, token);
            }
        }
    }
}
