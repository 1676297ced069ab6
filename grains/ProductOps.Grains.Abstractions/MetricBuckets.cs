namespace ProductOps.Grains.Abstractions;

/// <summary>Histogram bounds shared by ProductOps' own metrics.</summary>
public static class MetricBuckets
{
    /// <summary>From a millisecond to ten seconds: a commit, a cycle or a batch takes milliseconds
    /// when all is well, and seconds when a store or a grain stalls.</summary>
    public static readonly IReadOnlyList<double> Seconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
}
