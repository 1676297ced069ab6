using System.Diagnostics;
using System.Text.Json.Nodes;
using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Bench;

/// <summary>GetUser, GetFeature and GetOverview in turn at a fixed total rate, open loop, each
/// latency counted from when the query was due (at most 512 outstanding; beyond, counted as skipped).</summary>
internal sealed class QueryLoad(BenchConnection connection, WorkloadGenerator workload, int queryRate, int seed)
{
    private const int MaxOutstanding = 512;
    private readonly LatencyRecorder _user = new();
    private readonly LatencyRecorder _feature = new();
    private readonly LatencyRecorder _overview = new();
    private long _errors;
    private long _skipped;

    public LatencySummary? User => _user.Summary();

    public LatencySummary? Feature => _feature.Summary();

    public LatencySummary? Overview => _overview.Summary();

    public JsonObject ToJson() => new()
    {
        ["query_rate_per_sec"] = queryRate,
        ["get_user"] = User?.ToJson(),
        ["get_feature"] = Feature?.ToJson(),
        ["get_overview"] = Overview?.ToJson(),
        ["query_errors"] = _errors,
        ["queries_skipped_outstanding_cap"] = _skipped,
    };

    public async Task RunAsync(TimeSpan duration, CancellationToken token)
    {
        var interval = Stopwatch.Frequency / (double)queryRate;
        var start = Stopwatch.GetTimestamp();
        var stopAt = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var outstanding = new List<Task>();
        var draw = (ulong)seed * 0x9E3779B97F4A7C15UL;
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
}
