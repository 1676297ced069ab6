using System.Text.Json.Nodes;

namespace ProductOps.Bench;

/// <summary>The same queries with no ingest running, once the aggregates have caught up: the
/// like-for-like line for the SQL baseline, whose queries also run on an idle machine.</summary>
internal sealed class IdleQueryPhase(BenchOptions options, BenchConnection connection, WorkloadGenerator workload,
    TextWriter progress)
{
    private readonly QueryLoad _queries = new(QueryLoad.Analytics(connection, workload), options.QueryRate, options.Seed);
    private bool _caughtUp;

    public LatencySummary? Feature => _queries.Of("get_feature");

    public LatencySummary? User => _queries.Of("get_user");

    public async Task RunAsync(CancellationToken token)
    {
        _caughtUp = await connection.WaitForAggregatesAsync(TimeSpan.FromSeconds(60), token);
        var duration = options.QueryDuration / 2;
        await progress.WriteLineAsync($"Idle queries: {options.QueryRate}/s for {duration.TotalSeconds:F0} s, no ingest");
        await _queries.RunAsync(duration, token);
        await progress.WriteLineAsync($"  GetUser p50 {User?.P50:F2} ms p99 {User?.P99:F2} ms, GetFeature p50 {Feature?.P50:F2} ms p99 {Feature?.P99:F2} ms");
    }

    public JsonObject ToJson()
    {
        var json = _queries.ToJson();
        json["aggregates_caught_up_before"] = _caughtUp;
        return json;
    }
}
