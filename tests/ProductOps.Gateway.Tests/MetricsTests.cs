using System.Globalization;
using System.Net;
using ProductOps.Contracts.V1;
using ProductOps.Testing;
using static ProductOps.Gateway.Tests.EventFactory;
using static ProductOps.Testing.Polling;

namespace ProductOps.Gateway.Tests;

/// <summary>The node's Prometheus endpoint, scraped over HTTP the way Prometheus does: what it
/// counts matches what the node answered, it is not served on the clients' gRPC port, and it names
/// no tenant or key.</summary>
public sealed class MetricsTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Metrics_AfterTrack_CountEachOutcomeAndTheLogsCommitsAndDrainTheBacklog()
    {
        using var data = new TempDirectory();
        await using var node = await SiloProcess.StartAsync(data.Path);
        var prefix = Prefix("metrics");
        var request = new TrackRequest { BatchId = $"{prefix}-batch" };
        request.Events.AddRange(Usage(prefix, users: 5, [$"{prefix}-search"], count: 40, seed: 3, DateTimeOffset.UtcNow));
        request.Events.Add(request.Events[0].Clone()); // a duplicate
        request.Events.Add(Event(string.Empty, $"{prefix}-bad", "feature_used", DateTimeOffset.UtcNow)); // rejected: no user

        var response = await node.Ingest.TrackAsync(request, DemoTenant.Ingest);
        Assert.Equal((40, 1, 1), (response.Accepted, response.Duplicates, response.Rejected.Count));

        var scrape = await Eventually(async () =>
        {
            var text = await ScrapeAsync(node);
            Assert.Equal(0, Sum(text, "productops_dispatch_pending")); // every partition dispatched all it committed
            Assert.Equal(0, Sum(text, "productops_dispatch_lag_seconds"));
            return text;
        }, DefaultTimeout, () => node.Output);

        Assert.Equal(40, Sum(scrape, "productops_ingest_events_total", "outcome=\"accepted\""));
        Assert.Equal(1, Sum(scrape, "productops_ingest_events_total", "outcome=\"duplicate\""));
        Assert.Equal(1, Sum(scrape, "productops_ingest_events_total", "outcome=\"rejected\""));
        Assert.Equal(1, Sum(scrape, "productops_ingest_batch_duration_seconds_count"));
        Assert.Equal(40, Sum(scrape, "productops_log_committed_total"));
        Assert.True(Sum(scrape, "productops_log_commit_duration_seconds_count") >= 1, "no commit timed");
        Assert.True(Sum(scrape, "productops_dispatch_events_total") >= 40, "fewer events dispatched than committed");
        Assert.Equal(32, Count(scrape, "productops_dispatch_pending{")); // one series per partition
        Assert.Contains("orleans_catalog_activations", scrape, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_pause_time_seconds_total", scrape, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/productops.v1.IngestService/Track\"", scrape, StringComparison.Ordinal);

        // The operator's figures: no tenant, user or key in them.
        Assert.DoesNotContain(DemoTenant.Id, scrape, StringComparison.Ordinal);
        Assert.DoesNotContain(DemoTenant.IngestKey, scrape, StringComparison.Ordinal);
        Assert.DoesNotContain(prefix, scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_OverTheGrpcPort_NotServed()
    {
        using var data = new TempDirectory();
        await using var node = await SiloProcess.StartAsync(data.Path);
        using var overGrpcPort = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{node.GrpcPort}/metrics")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact, // the port speaks HTTP/2 only (h2c)
        };

        using var answer = await Http.SendAsync(overGrpcPort);

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(MetricsUrl(node))).StatusCode);
    }

    [Fact]
    public async Task Metrics_TurnedOff_NotServed()
    {
        using var data = new TempDirectory();
        await using var node = await SiloProcess.StartAsync(data.Path, settings: new Dictionary<string, string> { ["ProductOps:Metrics:Enabled"] = "false" });

        using var answer = await Http.GetAsync(MetricsUrl(node));

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
    }

    private static string MetricsUrl(SiloProcess node) => $"http://127.0.0.1:{node.HttpPort}/metrics";

    private static Task<string> ScrapeAsync(SiloProcess node) => Http.GetStringAsync(MetricsUrl(node));

    /// <summary>The sum of a metric's samples whose labels contain <paramref name="label"/>.</summary>
    private static double Sum(string scrape, string metric, string label = "") =>
        Samples(scrape, metric).Where(line => line.Contains(label, StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    private static int Count(string scrape, string prefix) => scrape.Split('\n').Count(line => line.StartsWith(prefix, StringComparison.Ordinal));

    private static IEnumerable<string> Samples(string scrape, string metric) =>
        scrape.Split('\n').Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal));
}
