using System.Diagnostics;

namespace ProductOps.Bench;

/// <summary>Thread-safe collection of latency samples, in milliseconds.</summary>
internal sealed class LatencyRecorder
{
    private readonly List<double> _samples = [];
    private readonly Lock _gate = new();

    public static double MsSince(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;

    public void Add(double ms)
    {
        lock (_gate)
        {
            _samples.Add(ms);
        }
    }

    public LatencySummary? Summary()
    {
        lock (_gate)
        {
            return LatencySummary.Of(_samples);
        }
    }
}
