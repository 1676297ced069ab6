using System.Text.Json.Nodes;

namespace ProductOps.Bench;

/// <summary>min/p50/p99/max of a set of latencies, in milliseconds.</summary>
internal sealed record LatencySummary(int Count, double Min, double P50, double P99, double Max)
{
    public static LatencySummary? Of(IEnumerable<double> samples)
    {
        var sorted = samples.ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        Array.Sort(sorted);
        return new LatencySummary(sorted.Length, sorted[0], Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted[^1]);
    }

    public JsonObject ToJson() => new()
    {
        ["count"] = Count,
        ["min_ms"] = Math.Round(Min, 3),
        ["p50_ms"] = Math.Round(P50, 3),
        ["p99_ms"] = Math.Round(P99, 3),
        ["max_ms"] = Math.Round(Max, 3),
    };

    /// <summary>Nearest rank.</summary>
    private static double Percentile(double[] sorted, double q) =>
        sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
