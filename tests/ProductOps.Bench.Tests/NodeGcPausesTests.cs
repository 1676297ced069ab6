namespace ProductOps.Bench.Tests;

/// <summary>The GC figures each load step reports, read from a real process's diagnostics port:
/// this test process's own, with collections it forces.</summary>
public sealed class NodeGcPausesTests
{
    [Fact]
    public async Task Stop_AfterForcedCollections_CountsThemByGenerationWithTheirPauses()
    {
        var pauses = NodeGcPauses.Start(new NodeProcesses([Environment.ProcessId], CountDatabase: false));
        Assert.Null(pauses.Skipped);
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        }

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var summary = await pauses.StopAsync();

        Assert.NotNull(summary);
        // The collector may raise a forced gen0 collection to gen1, or to gen2 (seen once: 1/1/2).
        Assert.True(summary.Gen0 + summary.Gen1 + summary.Gen2 >= 4, summary.ToString());
        Assert.True(summary.Gen2 >= 1, summary.ToString());
        Assert.True(summary.PausesMs.Length >= 4, summary.ToString());
        Assert.All(summary.PausesMs, pause => Assert.InRange(pause, 0, summary.Seconds * 1000));
        Assert.True(summary.PausedMs > 0);
        Assert.InRange(summary.LongestMs, summary.MedianMs, summary.PausedMs);
        var json = summary.ToJson();
        Assert.Equal(summary.Gen2, json["collections"]!["gen2"]!.GetValue<int>());
        Assert.Equal(summary.PausesMs.Length, json["pauses"]!.GetValue<int>());
    }

    [Fact]
    public async Task Start_WithoutNodePids_SaysWhyAndReportsNothing()
    {
        var pauses = NodeGcPauses.Start(NodeProcesses.Unknown);

        Assert.Contains("--node-pid", pauses.Skipped, StringComparison.Ordinal);
        Assert.Null(await pauses.StopAsync());
    }

    [Fact]
    public void Combine_SeveralProcesses_AddsCountsKeepsTheLongestAndAveragesTheSharePaused()
    {
        var silo = new GcPauseSummary(4, 1, 0, 0, [10, 30], 10, 1);
        var gateway = new GcPauseSummary(2, 0, 1, 1, [20], 9, 1);

        var both = GcPauseSummary.Combine([silo, gateway]);

        Assert.Equal((6, 1, 1, 1), (both.Gen0, both.Gen1, both.Gen2, both.Background));
        Assert.Equal(60, both.PausedMs);
        Assert.Equal(30, both.LongestMs);
        Assert.Equal(20, both.MedianMs);
        Assert.Equal(0.3, both.PausedPercent, 6); // 60 ms over two processes' 10 s
    }
}
