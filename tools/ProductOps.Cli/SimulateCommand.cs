using System.Diagnostics;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using ProductOps.Client;
using ProductOps.Contracts.V1;
using ProductOps.Simulator;

namespace ProductOps.Cli;

/// <summary>`simulate`: streams a seeded synthetic product into the server, then shows the overview.</summary>
internal sealed class SimulateCommand : ICliCommand
{
    private const int MaxRejectionsShown = 5;
    private static readonly TimeSpan AggregateWait = TimeSpan.FromSeconds(30);

    public string Name => "simulate";

    public string Summary => "Stream a simulated product (users, sessions, features, churn) into the server.";

    public string Usage => "simulate [options]";

    public IReadOnlyList<CliOption> Options { get; } =
    [
        Connection.Address,
        new("key", "KEY", "API key with the ingest scope.", Connection.DemoIngestKey),
        new("read-key", "KEY", "API key with the read scope, for the overview.", Connection.DemoReadKey),
        new("users", "N", "Number of users.", "2000"),
        new("days", "N", "Days of history to simulate; training a churn model takes about 45 or more.", "98"),
        new("seed", "N", "Random seed; the same seed sends the same events (the server deduplicates a rerun).", "42"),
        new("start", "DATE", "First simulated day, yyyy-MM-dd. Default: --days before today (UTC)."),
        new("batch", "N", "Events per batch.", "500"),
        new("in-flight", "N", "Most unacknowledged batches on the stream.", "16"),
    ];

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        arguments.ExpectNoPositionals();
        var days = arguments.GetInt("days", 1, 3_660);
        var simulation = new ProductSimulation(new ProductSimulationOptions
        {
            Users = arguments.GetInt("users", 1, 999_999),
            Days = days,
            Seed = arguments.GetInt("seed", int.MinValue, int.MaxValue),
            Start = arguments.GetDate("start") ?? DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-days),
        });
        var options = new ProductOpsClientOptions
        {
            Address = arguments.GetUri(Connection.Address.Name),
            ApiKey = arguments.GetString("key"),
            QueryApiKey = arguments.GetString("read-key"),
            MaxBatchSize = arguments.GetInt("batch", 1, 100_000),
            MaxInFlightBatches = arguments.GetInt("in-flight", 1, 1_024),
        };

        await Console.Error.WriteLineAsync(
            $"Simulating {CliFormat.Count(simulation.GroundTruth.Count)} users over {days} days from "
            + $"{simulation.StartTime:yyyy-MM-dd} into {options.Address}");
        await using var client = new ProductOpsClient(options);
        var ingestedBefore = Ingested(await client.Query.GetOverviewAsync(new GetOverviewRequest(), cancellationToken: cancellationToken));
        var rejections = new List<string>();
        client.BatchCompleted += (_, batch) => Sample(batch, rejections);

        await IdentifyAllAsync(client, simulation, options.MaxInFlightBatches, cancellationToken);
        var elapsed = await TrackAllAsync(client, simulation, cancellationToken);

        var stats = client.Stats;
        Console.WriteLine($"Sent {CliFormat.Count(stats.EventsAcknowledged)} events in {CliFormat.Count(stats.BatchesAcknowledged)}"
            + $" batches: accepted {CliFormat.Count(stats.Accepted)} · duplicates {CliFormat.Count(stats.Duplicates)}"
            + $" · rejected {CliFormat.Count(stats.Rejected)} · retries {CliFormat.Count(stats.Retries)}"
            + $" · streams {CliFormat.Count(stats.StreamsOpened)}");
        lock (rejections)
        {
            foreach (var rejection in rejections)
            {
                Console.WriteLine($"  rejected: {rejection}");
            }
        }

        PrintGroundTruth(simulation);
        Console.WriteLine();
        var sent = stats.EventsAcknowledged + simulation.GroundTruth.Count; // and one identify per user
        var view = await WaitForAggregatesAsync(client, simulation, ingestedBefore + sent, cancellationToken);
        OverviewPrinter.Print(view, Console.Out);
        Console.WriteLine();
        var rate = stats.EventsAcknowledged / Math.Max(elapsed.TotalSeconds, 1e-9);
        Console.WriteLine($"Ingest throughput: {CliFormat.Count((long)rate)} events/s "
            + $"({CliFormat.Count(stats.EventsAcknowledged)} events in {elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s)");
        return stats.Rejected == 0 ? CliApp.Ok : CliApp.Failed;
    }

    private static async Task IdentifyAllAsync(ProductOpsClient client, ProductSimulation simulation, int parallelism,
        CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(simulation.Identifies(), parallel,
            async (request, token) => await client.IdentifyAsync(request, token));
        await Console.Error.WriteLineAsync($"Identified {CliFormat.Count(simulation.GroundTruth.Count)} users.");
    }

    private static async Task<TimeSpan> TrackAllAsync(ProductOpsClient client, ProductSimulation simulation,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using (new ProgressReporter(client, Console.Error, redraw: !Console.IsErrorRedirected))
        {
            foreach (var usageEvent in simulation.Events())
            {
                await client.TrackAsync(usageEvent, cancellationToken);
            }

            await client.FlushAsync(cancellationToken);
        }

        return clock.Elapsed;
    }

    private static void Sample(BatchCompletedEventArgs batch, List<string> rejections)
    {
        lock (rejections)
        {
            foreach (var rejected in batch.Response.Rejected)
            {
                if (rejections.Count >= MaxRejectionsShown)
                {
                    return;
                }

                var source = rejected.Index >= 0 && rejected.Index < batch.Events.Count ? batch.Events[rejected.Index] : null;
                rejections.Add($"{source?.Name} of {source?.UserId} at {CliFormat.Time(source?.Timestamp)}: "
                    + $"{rejected.Field}: {rejected.Reason}");
            }
        }
    }

    private static void PrintGroundTruth(ProductSimulation simulation)
    {
        int churned = 0, cancelled = 0, breaks = 0;
        foreach (var truth in simulation.GroundTruth)
        {
            churned += truth.Churned ? 1 : 0;
            cancelled += truth.Cancelled ? 1 : 0;
            breaks += truth.BreakDays > 0 ? 1 : 0;
        }

        Console.WriteLine($"Ground truth: {CliFormat.Count(churned)} users churned ({CliFormat.Count(cancelled)} with "
            + $"subscription_cancelled), {CliFormat.Count(breaks)} took a break and stayed.");
    }

    /// <summary>The overview of the simulated window, once the aggregates have caught up with the log
    /// and the gateway's ingestion counters (added to the tenant's every few hundred ms) count
    /// <paramref name="ingested"/> (or after a bounded wait).</summary>
    private static async Task<OverviewView> WaitForAggregatesAsync(ProductOpsClient client,
        ProductSimulation simulation, long ingested, CancellationToken cancellationToken)
    {
        var from = simulation.StartTime;
        var to = simulation.EndTime;
        if (to - from > TimeSpan.FromDays(366))
        {
            from = to.AddDays(-366);
        }

        var request = new GetOverviewRequest
        {
            From = Timestamp.FromDateTimeOffset(from),
            To = Timestamp.FromDateTimeOffset(to),
        };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var view = await client.Query.GetOverviewAsync(request, cancellationToken: cancellationToken);
            var freshness = view.Freshness ?? new Freshness();
            if ((freshness.CaughtUp && Ingested(view) >= ingested) || waited.Elapsed > AggregateWait)
            {
                return view;
            }

            if (!freshness.CaughtUp)
            {
                await Console.Error.WriteLineAsync($"  waiting for the aggregates: {CliFormat.Count(freshness.PendingEvents)} events pending, {freshness.LagMs} ms behind");
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    /// <summary>Everything the tenant's ingestion counters have counted: accepted, duplicate or rejected.</summary>
    private static long Ingested(OverviewView view) =>
        view.Counters is { } c ? c.Accepted + c.Duplicates + c.Rejected : 0;
}
