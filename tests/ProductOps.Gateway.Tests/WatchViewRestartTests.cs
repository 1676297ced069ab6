using System.Text.RegularExpressions;
using ProductOps.Contracts.V1;
using ProductOps.Testing;
using static ProductOps.Gateway.Tests.EventFactory;

namespace ProductOps.Gateway.Tests;

/// <summary>A view watch across its node's restart, on a node of its own: the CLI calls the watch
/// again from its last view's resume token, and prints no figures behind what it printed before.</summary>
public sealed partial class WatchViewRestartTests
{
    [Fact]
    public async Task CliOverviewWatch_NodeRestartsGracefully_CarriesOnWithoutGoingBack()
    {
        using var data = new TempDirectory();
        var node = await SiloProcess.StartAsync(data.Path);
        var port = node.GrpcPort;
        var prefix = Prefix("view-restart");
        var batch = new TrackRequest { BatchId = prefix };
        for (var i = 0; i < 5; i++)
        {
            batch.Events.Add(Event($"{prefix}-u{i}", $"{prefix}-e{i}", "feature_used", DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1), $"{prefix}-search"));
        }

        Assert.Equal(5, (await node.Ingest.TrackAsync(batch, DemoTenant.Ingest)).Accepted);
        using var cli = CliProcess.Start("overview", "--watch", "--address", $"http://127.0.0.1:{port}");
        try
        {
            await Polling.Until(() => EventsPrinted(cli.Output).LastOrDefault() == 5, Polling.DefaultTimeout, () => $"no view of 5 events: {cli.Error}{cli.Output}");
            Assert.Equal(0, await node.StopAsync());
            await Polling.Until(() => cli.Error.Contains("The watch was interrupted", StringComparison.Ordinal), Polling.DefaultTimeout, () => $"not interrupted: {cli.Error}{cli.Output}");
        }
        finally
        {
            await node.DisposeAsync();
        }

        await using var restarted = await SiloProcess.StartAsync(data.Path, grpcPort: port);
        await Polling.Until(() => cli.Error.Contains("Resumed.", StringComparison.Ordinal), Polling.DefaultTimeout, () => $"not resumed: {cli.Error}{cli.Output}");
        var exitCode = await cli.InterruptAsync();

        Assert.True(exitCode == 0, $"exit {exitCode}: {cli.Error}");
        Assert.DoesNotContain(cli.Error.Split('\n'), line => line.StartsWith("error:", StringComparison.Ordinal));
        var printed = EventsPrinted(cli.Output);
        Assert.True(printed.Count >= 2, cli.Output); // a view before the restart and one after
        Assert.Equal(printed.Order(), printed); // never back
    }

    /// <summary>The events of all time of every overview the CLI printed, in order.</summary>
    private static List<long> EventsPrinted(string output) =>
        [.. EventsLine().Matches(output).Select(m => long.Parse(m.Groups["events"].Value.Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture))];

    // The overview's "users N · events N" line, by its end: nothing else ends with "events" and a count.
    [GeneratedRegex(@"\bevents (?<events>[\d,]+)\r?$", RegexOptions.Multiline)]
    private static partial Regex EventsLine();
}
