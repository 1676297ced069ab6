using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using ProductOps.Gateway.Hosting;
using ProductOps.Contracts.V1;
using ProductOps.Testing;
using static ProductOps.Gateway.Tests.EventFactory;
using static ProductOps.Testing.Polling;

namespace ProductOps.Gateway.Tests;

/// <summary>The node's Prometheus endpoint, scraped over HTTP the way Prometheus does: what it
/// counts matches what the node answered, it is not served on the clients' gRPC port, and it names
/// no tenant or key.</summary>
public sealed partial class MetricsTests
{
    private static readonly HttpClient Http = new();
    private static readonly string AlertsFile = Path.Combine(RepoLayout.Root, "deploy", "prometheus", "productops-alerts.yaml");

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
        Assert.Equal(Sum(scrape, "productops_dispatch_events_total"), Sum(scrape, "productops_dispatch_events_total", "partition=\"")); // the stall alert compares them per partition
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

    [Theory]
    [InlineData("/metrics", "HTTP/1.1", 5080, true)]
    [InlineData("/metrics", "HTTP/2", 5080, false)] // the gRPC endpoint as shipped
    [InlineData("/metrics", "HTTP/1.1", 5000, false)] // the gRPC endpoint opened to HTTP/1.1 as well
    [InlineData("/healthz", "HTTP/1.1", 5080, false)]
    public void IsScrape_ByPathProtocolAndPort(string path, string protocol, int localPort, bool scrape)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Request.Protocol = protocol;
        context.Connection.LocalPort = localPort;

        Assert.Equal(scrape, MetricsHosting.IsScrape(context, grpcPort: 5000));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000", 5000)]
    [InlineData("http://+:5100", 5100)]
    [InlineData("http://127.0.0.1:0", -1)] // a free port: nothing to compare
    [InlineData(null, -1)]
    public void PortOf_KestrelUrls(string? url, int port) => Assert.Equal(port, MetricsHosting.PortOf(url));

    [Fact]
    public async Task Metrics_TurnedOff_NotServed()
    {
        using var data = new TempDirectory();
        await using var node = await SiloProcess.StartAsync(data.Path, settings: new Dictionary<string, string> { ["ProductOps:Metrics:Enabled"] = "false" });

        using var answer = await Http.GetAsync(MetricsUrl(node));

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
    }

    [Fact]
    public async Task Metrics_BatchesRefusedForLoad_CountedAsTheClientsSawThem()
    {
        using var data = new TempDirectory();
        await using var node = await StartWithTinyBoundAsync(data);

        var refused = await SendUntilRefusedAsync(node, Prefix("refused"));

        var scrape = await ScrapeAsync(node);
        Assert.Equal(refused, Sum(scrape, "productops_ingest_refused_total"));
        Assert.Equal(refused, Sum(scrape, "productops_ingest_refused_total", "bound=\"gateway\"")); // one tenant: the gateway's bound is met first
    }

    /// <summary>The Grafana dashboard (deploy/grafana) and the alerting rules (deploy/prometheus)
    /// query only metrics a node serves, by the names the exporter gives them.</summary>
    [Fact]
    public async Task MonitoringFiles_EveryMetricTheyQuery_TheNodeServes()
    {
        using var data = new TempDirectory();
        await using var node = await StartWithTinyBoundAsync(data);
        var prefix = Prefix("dashboard");
        await SendUntilRefusedAsync(node, prefix); // every ProductOps metric, refusals included
        await RefuseAStreamAsync(node);
        await Eventually(async () =>
            Assert.Equal(0, Sum(await ScrapeAsync(node), "productops_dispatch_pending")), // dispatched: the feature exists, its cycles were timed
            DefaultTimeout, () => node.Output);
        await node.Query.GetFeatureAsync(new GetFeatureRequest { Feature = $"{prefix}-search" }, DemoTenant.Read);
        var served = (await ScrapeAsync(node)).Split('\n').Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line[..line.IndexOfAny(['{', ' '])]).ToHashSet(StringComparer.Ordinal);

        var alerts = AlertQueries().ToList();
        var queries = DashboardQueries().Concat(alerts).ToList();

        Assert.Equal(File.ReadLines(AlertsFile).Count(line => line.TrimStart().StartsWith("- alert: ", StringComparison.Ordinal)), alerts.Count); // each rule's expr read
        Assert.True(queries.Count >= 10, $"only {queries.Count} queries found");
        foreach (var (where, query) in queries)
        {
            var metrics = MetricName().Matches(query).Select(m => m.Value).ToList();
            Assert.True(metrics.Count > 0, $"{where} queries no metric: {query}");
            Assert.All(metrics, metric => Assert.True(served.Contains(metric), $"{where} queries {metric}, which the node does not serve"));
        }
    }

    /// <summary>A streaming call's request lasts as long as the stream (a watch: minutes to
    /// hours), past every bucket of ASP.NET Core's duration histogram: among the query latencies it
    /// would read as the top bucket, 10 s. The dashboard's routes (Prometheus regexes, matched
    /// whole) take in every unary QueryService method and no streaming one.</summary>
    [Fact]
    public void Dashboard_QueryLatency_EveryUnaryMethodAndNoStream()
    {
        var routes = DashboardQueries()
            .SelectMany(q => RouteMatcher().Matches(q.Query).Select(m => (q.Where, Pattern: m.Groups["pattern"].Value)))
            .Where(r => r.Pattern.Contains(QueryService.Descriptor.Name, StringComparison.Ordinal))
            .Select(r => (r.Where, Pattern: new Regex($"^(?:{r.Pattern})$")))
            .ToList();
        Assert.NotEmpty(routes);

        foreach (var method in QueryService.Descriptor.Methods)
        {
            var route = $"/{QueryService.Descriptor.FullName}/{method.Name}";
            Assert.All(routes, r => Assert.True(
                r.Pattern.IsMatch(route) != method.IsServerStreaming,
                $"{r.Where}: {route} ({(method.IsServerStreaming ? "streaming" : "unary")}) {(method.IsServerStreaming ? "matches" : "does not match")} {r.Pattern}"));
        }
    }

    private static IEnumerable<(string Where, string Query)> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoLayout.Root, "deploy", "grafana", "productops.json")));
        return [.. dashboard.RootElement.GetProperty("panels").EnumerateArray().SelectMany(panel =>
            panel.GetProperty("targets").EnumerateArray().Select(target =>
                ($"panel '{panel.GetProperty("title").GetString()}'", target.GetProperty("expr").GetString()!)))];
    }

    /// <summary>Each rule's one-line, double-quoted expr.</summary>
    private static IEnumerable<(string Where, string Query)> AlertQueries()
    {
        string? alert = null;
        foreach (var line in File.ReadLines(AlertsFile))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("- alert: ", StringComparison.Ordinal))
            {
                alert = trimmed["- alert: ".Length..];
            }
            else if (trimmed.StartsWith("expr: \"", StringComparison.Ordinal))
            {
                yield return ($"alert {alert}", trimmed["expr: \"".Length..^1].Replace("\\\"", "\"", StringComparison.Ordinal));
            }
        }
    }

    private static Task<SiloProcess> StartWithTinyBoundAsync(TempDirectory data) =>
        SiloProcess.StartAsync(data.Path, settings: new Dictionary<string, string>
        {
            ["ProductOps:Gateway:MaxInFlightEvents"] = "1",
            ["ProductOps:Gateway:MaxTrackStreamsPerTenant"] = "1",
        });

    /// <summary>Opens a TrackStream beside another, which the node's bound of one refuses.</summary>
    private static async Task RefuseAStreamAsync(SiloProcess node)
    {
        using var open = node.Ingest.TrackStream(DemoTenant.Ingest);
        var prefix = Prefix("stream");
        await open.RequestStream.WriteAsync(new TrackRequest { BatchId = prefix, Events = { Event($"{prefix}-u", $"{prefix}-e", "feature_used", DateTimeOffset.UtcNow, "search") } }); // in place once answered
        Assert.True(await open.ResponseStream.MoveNext(CancellationToken.None));
        using var refused = node.Ingest.TrackStream(DemoTenant.Ingest);
        var failure = await Assert.ThrowsAsync<RpcException>(() => refused.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.ResourceExhausted, failure.StatusCode);
    }

    /// <summary>Sends rounds of concurrent batches until the node refuses some for load (with a
    /// bound of one event in flight, a batch beside another is refused); returns how many it refused.</summary>
    private static async Task<int> SendUntilRefusedAsync(SiloProcess node, string prefix)
    {
        var refused = 0;
        for (var round = 0; refused == 0; round++)
        {
            Assert.True(round < 20, "no batch was refused");
            var batches = Batches(Usage($"{prefix}-{round}", users: 5, [$"{prefix}-search"], count: 16 * 20, seed: round, DateTimeOffset.UtcNow), 20, $"{prefix}-{round}");
            var outcomes = await Task.WhenAll(batches.Select(async batch =>
            {
                try
                {
                    await node.Ingest.TrackAsync(batch, DemoTenant.Ingest);
                    return false;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
                {
                    return true;
                }
            }));
            refused += outcomes.Count(r => r);
        }

        return refused;
    }

    private static string MetricsUrl(SiloProcess node) => $"http://127.0.0.1:{node.HttpPort}/metrics";

    internal static Task<string> ScrapeAsync(SiloProcess node) => Http.GetStringAsync(MetricsUrl(node));

    /// <summary>The sum of a metric's samples whose labels contain <paramref name="label"/>.</summary>
    internal static double Sum(string scrape, string metric, string label = "") =>
        Samples(scrape, metric).Where(line => line.Contains(label, StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    private static int Count(string scrape, string prefix) => scrape.Split('\n').Count(line => line.StartsWith(prefix, StringComparison.Ordinal));

    [GeneratedRegex("http_route=~\"(?<pattern>[^\"]+)\"")]
    private static partial Regex RouteMatcher();

    [GeneratedRegex(@"\b(productops|orleans|dotnet|http_server)_[a-z0-9_]+")]
    private static partial Regex MetricName();

    private static IEnumerable<string> Samples(string scrape, string metric) =>
        scrape.Split('\n').Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal));
}
