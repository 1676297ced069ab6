using System.Diagnostics;
using System.Text.Json.Nodes;
using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Bench;

/// <summary>Queries sent in turn at a fixed total rate, open loop, each latency counted from when
/// the query was due, or from when it was sent if that was earlier (at most 512 outstanding;
/// beyond, counted as skipped). Also kept: each latency from when the query was sent, and how late
/// the sender was: on a shared machine the harness's own process waits for a core too, and that
/// wait is in the latency from the due time, not in the node.</summary>
internal sealed class QueryLoad(IReadOnlyList<QueryKind> kinds, int queryRate, int seed)
{
    private const int MaxOutstanding = 512;
    private readonly LatencyRecorder[] _latencies = [.. kinds.Select(_ => new LatencyRecorder())];
    private readonly LatencyRecorder[] _fromSend = [.. kinds.Select(_ => new LatencyRecorder())];
    private readonly LatencyRecorder _sendLateness = new();
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
    public LatencySummary? Of(string name) => _latencies[IndexOf(name)].Summary();

    /// <summary>The same, counted from when each was sent.</summary>
    public LatencySummary? FromSendOf(string name) => _fromSend[IndexOf(name)].Summary();

    /// <summary>How long after its due time each query was sent.</summary>
    public LatencySummary? SendLateness => _sendLateness.Summary();

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["query_rate_per_sec"] = queryRate };
        for (var i = 0; i < kinds.Count; i++)
        {
            json[kinds[i].Name] = _latencies[i].Summary()?.ToJson();
            json[$"{kinds[i].Name}_from_send"] = _fromSend[i].Summary()?.ToJson();
        }

        json["send_lateness"] = _sendLateness.Summary()?.ToJson();

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
            var sent = Stopwatch.GetTimestamp();
            _sendLateness.Add(Math.Max(0, Stopwatch.GetElapsedTime(due, sent).TotalMilliseconds));
            outstanding.Add(TimeAsync(OpenLoop.LatencyStart(due, sent), sent, kind, draw, token));
        }

        await Task.WhenAll(outstanding);
    }

    private async Task TimeAsync(long start, long sent, int kind, ulong draw, CancellationToken token)
    {
        try
        {
            await kinds[kind].Send(draw, token);
            _latencies[kind].Add(LatencyRecorder.MsSince(start));
            _fromSend[kind].Add(LatencyRecorder.MsSince(sent));
        }
        catch (RpcException)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < kinds.Count; i++)
        {
            if (kinds[i].Name == name)
            {
                return i;
            }
        }

        throw new ArgumentException($"no query named {name}", nameof(name));
    }
}
