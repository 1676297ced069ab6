using System.Diagnostics;
using System.Text.Json.Nodes;
using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Bench;

/// <summary>Queries sent in turn at a fixed total rate, open loop, each latency counted from when
/// the query was due, or from when it was sent if that was earlier (at most 512 outstanding;
/// beyond, counted as skipped).</summary>
internal sealed class QueryLoad(IReadOnlyList<QueryKind> kinds, int queryRate, int seed)
{
    private const int MaxOutstanding = 512;
    private readonly LatencyRecorder[] _latencies = [.. kinds.Select(_ => new LatencyRecorder())];
    private long _errors;
    private long _skipped;

    /// <summary>GetUser, GetFeature and GetOverview: what a dashboard asks most.</summary>
    public static QueryKind[] Analytics(BenchConnection connection, WorkloadGenerator workload) =>
    [
        new("get_user", (draw, token) => connection.Query.GetUserAsync(
            new GetUserRequest { UserId = WorkloadGenerator.UserId(workload.UserIndex(draw)) }, connection.ReadCall(token)).ResponseAsync),
        new("get_feature", (draw, token) => connection.Query.GetFeatureAsync(
            new GetFeatureRequest { Feature = workload.Features[(int)(draw % (ulong)workload.Features.Count)] },
            connection.ReadCall(token)).ResponseAsync),
        new("get_overview", (_, token) => connection.Query.GetOverviewAsync(new GetOverviewRequest(), connection.ReadCall(token)).ResponseAsync),
    ];

    /// <summary>The latencies of the query named <paramref name="name"/>; null before any answer.</summary>
    public LatencySummary? Of(string name)
    {
        for (var i = 0; i < kinds.Count; i++)
        {
            if (kinds[i].Name == name)
            {
                return _latencies[i].Summary();
            }
        }

        throw new ArgumentException($"no query named {name}", nameof(name));
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["query_rate_per_sec"] = queryRate };
        for (var i = 0; i < kinds.Count; i++)
        {
            json[kinds[i].Name] = _latencies[i].Summary()?.ToJson();
        }

        json["query_errors"] = _errors;
        json["queries_skipped_outstanding_cap"] = _skipped;
        return json;
    }

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
            var kind = (int)(k % kinds.Count);
            outstanding.Add(TimeAsync(OpenLoop.LatencyStart(due), _latencies[kind], kinds[kind].Send, draw, token));
        }

        await Task.WhenAll(outstanding);
    }

    private async Task TimeAsync(long start, LatencyRecorder recorder, Func<ulong, CancellationToken, Task> send, ulong draw,
        CancellationToken token)
    {
        try
        {
            await send(draw, token);
            recorder.Add(LatencyRecorder.MsSince(start));
        }
        catch (RpcException)
        {
            Interlocked.Increment(ref _errors);
        }
    }
}
