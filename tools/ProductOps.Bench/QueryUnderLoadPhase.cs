using System.Diagnostics;
using System.Text.Json.Nodes;
using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Bench;

/// <summary>Queries and freshness while ingesting at 70% of the saturated rate: GetUser, GetFeature
/// and GetOverview at a fixed total rate (open loop, latency from when each query was due), and
/// freshness probes spread over the phase.</summary>
internal sealed class QueryUnderLoadPhase(BenchOptions options, BenchConnection connection, WorkloadGenerator workload,
    string runId, int? nodePid, TextWriter progress)
{
    private const int MaxOutstanding = 512;
    private readonly LatencyRecorder _user = new();
    private readonly LatencyRecorder _feature = new();
    private readonly LatencyRecorder _overview = new();
    private long _errors;
    private long _skipped;

    public FreshnessProbe Freshness { get; } = new(connection, runId);

    public LoadResult? Background { get; private set; }

    public LatencySummary? User => _user.Summary();

    public LatencySummary? Feature => _feature.Summary();

    public LatencySummary? Overview => _overview.Summary();

    public async Task RunAsync(double saturatedRate, CancellationToken token)
    {
        var rate = Math.Max(1, saturatedRate * 0.7);
        var batches = workload.PrepareBatches((long)(rate * options.QueryDuration.TotalSeconds) + options.BatchSize, options.BatchSize);
        await progress.WriteLineAsync($"Queries: {options.QueryRate}/s (GetUser, GetFeature, GetOverview) and {options.Probes} freshness probes "
            + $"while ingesting {rate:N0} events/s (70%)");
        var driver = new StreamLoadDriver(connection, options.Streams, options.InFlight, nodePid);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var ingest = driver.RunAsync(batches, rate, options.QueryDuration, token);
        var queries = QueryLoopAsync(options.QueryDuration, stop.Token);
        var probes = ProbeLoopAsync(options.QueryDuration, stop.Token);
        Background = await ingest;
        await queries;
        await probes;
        await progress.WriteLineAsync($"  GetUser p99 {User?.P99:F1} ms, GetFeature p99 {Feature?.P99:F1} ms, GetOverview p99 {Overview?.P99:F1} ms; "
            + $"freshness p99 user {Freshness.User.Summary()?.P99:F0} ms, feature {Freshness.Feature.Summary()?.P99:F0} ms");
    }

    public JsonObject ToJson() => new()
    {
        ["query_rate_per_sec"] = options.QueryRate,
        ["background_ingest"] = Background?.ToJson(),
        ["get_user"] = User?.ToJson(),
        ["get_feature"] = Feature?.ToJson(),
        ["get_overview"] = Overview?.ToJson(),
        ["query_errors"] = _errors,
        ["queries_skipped_outstanding_cap"] = _skipped,
    };

    private async Task QueryLoopAsync(TimeSpan duration, CancellationToken token)
    {
        var interval = Stopwatch.Frequency / (double)options.QueryRate;
        var start = Stopwatch.GetTimestamp();
        var stopAt = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var outstanding = new List<Task>();
        var draw = (ulong)options.Seed * 0x9E3779B97F4A7C15UL;
        for (long k = 0; ; k++)
        {
            var due = start + (long)(k * interval);
            if (due >= stopAt)
            {
                break;
            }

            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, token);
            }

            outstanding.RemoveAll(t => t.IsCompleted);
            if (outstanding.Count >= MaxOutstanding)
            {
                _skipped++;
                continue;
            }

            draw = (draw ^ (draw >> 31)) * 0xBF58476D1CE4E5B9UL + (ulong)k;
            outstanding.Add((k % 3) switch
            {
                0 => TimeAsync(due, _user, () => connection.Query.GetUserAsync(
                    new GetUserRequest { UserId = WorkloadGenerator.UserId(workload.UserIndex(draw)) }, connection.ReadCall(token)).ResponseAsync),
                1 => TimeAsync(due, _feature, () => connection.Query.GetFeatureAsync(
                    new GetFeatureRequest { Feature = workload.Features[(int)(draw % (ulong)workload.Features.Count)] },
                    connection.ReadCall(token)).ResponseAsync),
                _ => TimeAsync(due, _overview, () => connection.Query.GetOverviewAsync(
                    new GetOverviewRequest(), connection.ReadCall(token)).ResponseAsync),
            });
        }

        await Task.WhenAll(outstanding);
    }

    private async Task TimeAsync<T>(long due, LatencyRecorder recorder, Func<Task<T>> query)
    {
        try
        {
            await query();
            recorder.Add(LatencyRecorder.MsSince(due));
        }
        catch (RpcException)
        {
            Interlocked.Increment(ref _errors);
        }
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
