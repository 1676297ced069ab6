using System.Globalization;
using ProductOps.Testing;

namespace ProductOps.Gateway.Tests;

/// <summary>What `productops simulate` prints at its end, against a node of its own.</summary>
public sealed class CliSimulateTests
{
    [Fact]
    public async Task Simulate_CountersAddedLate_OverviewCountsEveryEventAndIdentifySent()
    {
        // The gateway adds its ingestion counters to the tenant's every 5 s here: a small
        // simulation is in the aggregates long before they are counted.
        using var data = new TempDirectory();
        await using var node = await SiloProcess.StartAsync(data.Path, settings: new Dictionary<string, string>
        {
            ["ProductOps:Gateway:CounterFlushInterval"] = "00:00:05",
        });

        var (exitCode, output, error) = await CliProcess.RunAsync(
            "simulate", "--users", "20", "--days", "3", "--address", $"http://127.0.0.1:{node.GrpcPort}");

        Assert.True(exitCode == 0, $"exit {exitCode}: {error}");
        var sent = output.Split('\n').Single(l => l.StartsWith("Sent ", StringComparison.Ordinal));
        var events = long.Parse(sent.Split(' ')[1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"ingested: accepted {events + 20:N0} · duplicates 0 · rejected 0"), output, StringComparison.Ordinal);
    }
}
