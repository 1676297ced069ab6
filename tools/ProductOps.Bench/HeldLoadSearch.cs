using System.Text.Json.Nodes;

namespace ProductOps.Bench;

/// <summary>
/// Finds the highest offered load whose ack p99 holds a bound: the rate an operator can promise
/// within a latency objective, which a fraction of saturation does not say (the node may miss the
/// bound at 10% of it, or hold it at 90%).
/// </summary>
/// <remarks>A bisection between the highest load known to hold (0 if none) and the lowest known
/// to fail (the ceiling, saturation, if none), one open-loop step per probe. A load holds when the
/// node acked everything offered, at the offered rate, rejecting nothing, with ack p99 within the
/// bound. One step's p99 is one sample of the pauses that fell into it, so a probe near the edge
/// can go either way from run to run; the probes are reported so the reader sees how close the
/// neighbours were.</remarks>
internal sealed class HeldLoadSearch(double boundMs, int probes)
{
    /// <summary>The share of the offered rate a step must ack to count as keeping up.</summary>
    public const double KeptUpShare = 0.95;

    /// <summary>Batches a probe should ack, so that its p99 is not simply its slowest batch: at a
    /// few thousand events/s a step of a few seconds acks under a hundred, and one collection
    /// pause falling on one of them would decide the probe.</summary>
    public const int ProbeBatches = 300;

    /// <summary>Searching stops when the bracket is narrower than this share of its top.</summary>
    private const double Resolution = 0.02;

    private readonly List<(LoadResult Result, bool Holds)> _probes = []; // the result names its offered rate

    public double BoundMs => boundMs;

    /// <summary>The highest load seen to hold the bound (steps and probes), or null if none did.</summary>
    public double? HeldEventsPerSec { get; private set; }

    /// <summary>Ack p99 at <see cref="HeldEventsPerSec"/>.</summary>
    public double? HeldAckP99Ms { get; private set; }

    /// <summary>The lowest load seen to miss it above the held one (the ceiling if none did).</summary>
    public double? FailedEventsPerSec { get; private set; }

    /// <summary>How long a probe at <paramref name="rate"/> runs: long enough for
    /// <see cref="ProbeBatches"/> batches, at least one step and at most three.</summary>
    public static TimeSpan ProbeDuration(double rate, int batchSize, TimeSpan step)
    {
        var needed = TimeSpan.FromSeconds(ProbeBatches * (double)batchSize / Math.Max(1, rate));
        return TimeSpan.FromTicks(Math.Clamp(needed.Ticks, step.Ticks, step.Ticks * 3));
    }

    public bool Holds(LoadResult result) =>
        result.Error is null
        && result.Rejected == 0
        && result.OfferedEventsPerSec is { } offered
        && result.EventsPerSec >= offered * KeptUpShare
        && result.Ack is { } ack
        && ack.P99 <= boundMs;

    /// <summary>Brackets the bound with the steps already run, then bisects with up to
    /// <c>probes</c> more steps, each run by <paramref name="probe"/> at the rate it is given.</summary>
    public async Task RunAsync(IEnumerable<LoadResult> known, double ceiling, Func<double, Task<LoadResult>> probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var (low, lowResult, high) = Bracket(known, ceiling);
        for (var i = 0; i < probes && high - low > high * Resolution; i++)
        {
            var rate = (low + high) / 2;
            var result = await probe(rate);
            var holds = Holds(result);
            _probes.Add((result, holds));
            if (holds)
            {
                (low, lowResult) = (rate, result);
            }
            else
            {
                high = rate;
            }
        }

        HeldEventsPerSec = lowResult is null ? null : low;
        HeldAckP99Ms = lowResult?.Ack?.P99;
        FailedEventsPerSec = high;
    }

    public JsonObject ToJson() => new()
    {
        ["ack_p99_bound_ms"] = boundMs,
        ["held_events_per_sec"] = HeldEventsPerSec is { } held ? Math.Round(held) : null,
        ["held_ack_p99_ms"] = HeldAckP99Ms is { } p99 ? Math.Round(p99, 3) : null,
        ["lowest_missed_events_per_sec"] = FailedEventsPerSec is { } failed ? Math.Round(failed) : null,
        ["probes"] = new JsonArray([.. _probes.Select(p =>
        {
            var json = p.Result.ToJson();
            json["held"] = p.Holds;
            return (JsonNode)json;
        })]),
    };

    private (double Low, LoadResult? LowResult, double High) Bracket(IEnumerable<LoadResult> known, double ceiling)
    {
        double low = 0, high = ceiling;
        LoadResult? lowResult = null;
        var steps = known.Where(r => r.OfferedEventsPerSec is not null).OrderBy(r => r.OfferedEventsPerSec).ToList();
        foreach (var step in steps.Where(Holds))
        {
            (low, lowResult) = (step.OfferedEventsPerSec!.Value, step);
        }

        foreach (var step in steps.Where(s => !Holds(s) && s.OfferedEventsPerSec > low))
        {
            high = Math.Min(high, step.OfferedEventsPerSec!.Value);
        }

        return (low, lowResult, Math.Max(high, low));
    }
}
