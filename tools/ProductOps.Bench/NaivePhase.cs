using System.Diagnostics;
using System.Text.Json.Nodes;
using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Bench;

/// <summary>Baseline (a): one unary Track call per event, from many concurrent callers (the best
/// case for a client that does not batch).</summary>
internal sealed class NaivePhase(BenchOptions options, BenchConnection connection, WorkloadGenerator workload,
    NodeProcesses node, TextWriter progress)
{
    private readonly LatencyRecorder _latency = new();
    private long _acked;
    private long _errors;
    private double _seconds;
    private JsonObject? _cpu;
    private GcPauseSummary? _gc;

    public double? EventsPerSec => _seconds > 0 ? _acked / _seconds : null;

    public async Task RunAsync(CancellationToken token)
    {
        await progress.WriteLineAsync($"Naive: one unary Track per event, {options.NaiveConcurrency} concurrent callers");
        var cpu = ProcessCpu.Start(node);
        var gc = NodeGcPauses.Start(node);
        var start = Stopwatch.GetTimestamp();
        var stopAt = start + (long)(options.NaiveDuration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, options.NaiveConcurrency).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var index = workload.Take(1);
                var request = new TrackRequest { Events = { WorkloadGenerator.ToContract(workload.Create(index)) } };
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    var response = await connection.Ingest.TrackAsync(request, connection.IngestCall(token));
                    _latency.Add(LatencyRecorder.MsSince(sent));
                    Interlocked.Add(ref _acked, response.Accepted + response.Duplicates);
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref _errors);
                }
            }
        }, token)));
        _seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        _cpu = cpu.Stop();
        _gc = await gc.StopAsync();
        await progress.WriteLineAsync($"  {EventsPerSec:N0} events/s, p99 {_latency.Summary()?.P99:F1} ms{(_gc is null ? "" : "; " + _gc)}");
    }

    public JsonObject ToJson() => new()
    {
        ["concurrency"] = options.NaiveConcurrency,
        ["events_per_sec"] = EventsPerSec is { } rate ? Math.Round(rate) : null,
        ["events_acked"] = _acked,
        ["errors"] = _errors,
        ["latency"] = _latency.Summary()?.ToJson(),
        ["cpu"] = _cpu,
        ["gc"] = _gc?.ToJson(),
    };
}
