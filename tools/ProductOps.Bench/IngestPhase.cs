using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ProductOps.Bench;

/// <summary>Durable ingest: closed-loop saturation, then open-loop steps at fractions of it (or of
/// <see cref="BenchOptions.LoadBase"/>, which holds the offered loads still from run to run when
/// two builds are compared).</summary>
internal sealed class IngestPhase(BenchOptions options, BenchConnection connection, WorkloadGenerator workload,
    NodeProcesses node, TextWriter progress)
{
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(60);
    private readonly List<double?> _drains = [];
    private bool _preparedRunOut;

    public LoadResult? Saturation { get; private set; }

    public List<(double Load, LoadResult Result)> Steps { get; } = [];

    /// <summary>The highest load whose ack p99 held the bound, searched for after the steps.</summary>
    public HeldLoadSearch Held { get; } = new(options.AckBoundMs, options.SearchProbes);

    /// <summary>The rate the offered loads are fractions of: the given base, else saturation.</summary>
    public double LoadBase => options.LoadBase ?? Saturation?.EventsPerSec ?? 0;

    private string LoadBaseName => options.LoadBase is null ? "saturation" : "the load base";

    /// <summary>The 70% load as the report names it: of saturation, or of the given load base.</summary>
    public string SeventyPercentLoad => options.LoadBase is null ? "70% load" : $"70% of {options.LoadBase:N0} events/s";

    /// <summary>The step nearest 70% of saturation (the ack-latency target's load).</summary>
    public LoadResult? At70 => Steps.Count == 0 ? null : Steps.MinBy(s => Math.Abs(s.Load - 0.7)).Result;

    public async Task RunAsync(int maxRate, CancellationToken token)
    {
        var driver = new StreamLoadDriver(connection, options.Streams, options.InFlight, node);
        var events = (long)(maxRate * options.SaturationDuration.TotalSeconds);
        await progress.WriteLineAsync($"Ingest: preparing {events:N0} events for the saturation run");
        var batches = workload.PrepareBatches(events, options.BatchSize);
        await progress.WriteLineAsync($"Ingest: saturation, closed loop, {options.Streams} streams x {options.InFlight} batches of {options.BatchSize} in flight");
        Saturation = await driver.RunAsync(batches, null, options.SaturationDuration, token);
        _preparedRunOut = Saturation.Seconds < options.SaturationDuration.TotalSeconds * 0.9;
        batches = [];
        await progress.WriteLineAsync($"  {Saturation.EventsPerSec:N0} events/s acked; ack p99 {Saturation.Ack?.P99:F1} ms{(Saturation.Gc is null ? "" : "; " + Saturation.Gc)}");
        await DrainAsync(token);

        foreach (var load in options.Loads)
        {
            var rate = Math.Max(1, LoadBase * load);
            await progress.WriteLineAsync($"Ingest: {load:P0} of {LoadBaseName} = {rate:N0} events/s offered, open loop");
            Steps.Add((load, await RunStepAsync(driver, rate, options.StepDuration, token)));
        }

        if (options.SearchProbes > 0)
        {
            await progress.WriteLineAsync($"Ingest: searching for the highest load with ack p99 <= {Held.BoundMs:0.#} ms ({options.SearchProbes} probes at most)");
            await Held.RunAsync(Steps.Select(s => s.Result), Saturation.EventsPerSec, async rate =>
            {
                var duration = HeldLoadSearch.ProbeDuration(rate, options.BatchSize, options.StepDuration);
                await progress.WriteLineAsync($"  probe: {rate:N0} events/s offered for {duration.TotalSeconds:0.#} s");
                return await RunStepAsync(driver, rate, duration, token);
            });
            await progress.WriteLineAsync(Held.HeldEventsPerSec is { } held
                ? $"  held up to {held:N0} events/s (ack p99 {Held.HeldAckP99Ms:F1} ms); missed at {Held.FailedEventsPerSec:N0}"
                : $"  no load tried held it; the lowest tried was {Held.FailedEventsPerSec:N0} events/s");
        }
    }

    private async Task<LoadResult> RunStepAsync(StreamLoadDriver driver, double rate, TimeSpan duration, CancellationToken token)
    {
        var batches = workload.PrepareBatches((long)(rate * duration.TotalSeconds) + options.BatchSize, options.BatchSize);
        var result = await driver.RunAsync(batches, rate, duration, token);
        await progress.WriteLineAsync($"  {result.EventsPerSec:N0} events/s acked; ack p50 {result.Ack?.P50:F1} ms, p99 {result.Ack?.P99:F1} ms, max {result.Ack?.Max:F1} ms{(result.Gc is null ? "" : "; " + result.Gc)}");
        await DrainAsync(token);
        return result;
    }

    public JsonObject ToJson() => new()
    {
        ["saturation"] = Saturation?.ToJson(),
        ["steps"] = new JsonArray([.. Steps.Select(s =>
        {
            var json = s.Result.ToJson();
            json["load_fraction"] = s.Load;
            return (JsonNode)json;
        })]),
        ["saturation_ran_out_of_prepared_events"] = _preparedRunOut,
        ["load_base_events_per_sec"] = LoadBase,
        ["load_base_given"] = options.LoadBase is not null,
        ["held_load"] = Held.ToJson(),
        ["drain_seconds_after_each"] = new JsonArray([.. _drains.Select(d => (JsonNode?)d)]),
    };

    /// <summary>Lets the aggregates catch up before the next step, so each step starts clean; the
    /// time it takes says how far dispatch fell behind ingest.</summary>
    private async Task DrainAsync(CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        var drained = await connection.WaitForAggregatesAsync(DrainLimit, token);
        _drains.Add(drained ? Math.Round(clock.Elapsed.TotalSeconds, 1) : null);
        GC.Collect();
    }
}
