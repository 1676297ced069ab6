namespace ProductOps.Bench.Tests;

public sealed class FreshnessProbeTests
{
    /// <summary>Two probes in a hundred never became visible in GetFeature: the p99 of the
    /// feature's freshness is then at least the timeout, not the slowest probe that made it.</summary>
    [Fact]
    public void Record_ProbesThatTimedOut_CountAtTheTimeoutInThePercentiles()
    {
        using var connection = new BenchConnection(new Uri("http://127.0.0.1:9"), "i", "r", "a");
        var probe = new FreshnessProbe(connection, "test");

        for (var n = 0; n < 98; n++)
        {
            probe.Record(userMs: 40, featureMs: 60);
        }

        probe.Record(userMs: 45, featureMs: null);
        probe.Record(userMs: 50, featureMs: null);

        var feature = probe.Feature.Summary()!;
        Assert.Equal(100, feature.Count);
        Assert.Equal(FreshnessProbe.Timeout.TotalMilliseconds, feature.P99);
        Assert.Equal(45, probe.User.Summary()!.P99);
        Assert.Equal(2, probe.TimedOut);
    }
}
