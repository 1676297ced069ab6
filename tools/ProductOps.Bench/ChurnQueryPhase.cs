using System.Diagnostics;
using System.Text.Json.Nodes;
using Grpc.Core;
using ProductOps.Client;
using ProductOps.Contracts.V1;
using ProductOps.Simulator;

namespace ProductOps.Bench;

/// <summary>
/// The churn queries under load. The synthetic workload has no churn in it (its users are active
/// throughout), so the phase first streams a simulated product whose users fade out and cancel,
/// trains the tenant's model on the log the way an operator does (AdminService), activates it
/// whether or not it beat the recency baseline (this measures serving, not the model), and waits
/// until the node serves it. Then GetChurnRisk and ListAtRiskUsers in turn at the query rate,
/// while ingesting at 70% of the saturated rate. It runs after the other node phases, since a
/// served model adds rescoring to every ingested event.
/// </summary>
internal sealed class ChurnQueryPhase(BenchOptions options, BenchConnection connection, WorkloadGenerator workload,
    NodeProcesses node, TextWriter progress)
{
    private static readonly TimeSpan TrainingLimit = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ServingLimit = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan SweepLimit = TimeSpan.FromMinutes(5);
    private readonly JsonObject _history = [];
    private readonly JsonObject _training = [];
    private QueryLoad? _idle;
    private QueryLoad? _queries;
    private string[] _users = [];
    private long _pages;
    private long _pageUsers;
    private double? _servedAfterSeconds;
    private JsonObject? _sweep;
    private string? _skipped;

    public LoadResult? Background { get; private set; }

    public LatencySummary? ChurnRisk => _queries?.Of("get_churn_risk");

    public LatencySummary? AtRisk => _queries?.Of("list_at_risk_users");

    public LatencySummary? IdleChurnRisk => _idle?.Of("get_churn_risk");

    public LatencySummary? IdleAtRisk => _idle?.Of("list_at_risk_users");

    public async Task RunAsync(double loadBase, CancellationToken token)
    {
        if (options.ChurnUsers == 0)
        {
            _skipped = "--churn-users 0";
            await progress.WriteLineAsync("Churn queries: skipped (--churn-users 0)");
            return;
        }

        await StreamHistoryAsync(token);
        if (await TrainAsync(token) is not { } version || !await WaitUntilServedAsync(version, token))
        {
            await progress.WriteLineAsync($"Churn queries: skipped, {_skipped}");
            return;
        }

        await WaitForSweepAsync(token);

        // Idle first: what the queries cost with nothing else running, then under load.
        _idle = new QueryLoad(ChurnQueries(), options.QueryRate, options.Seed);
        await _idle.RunAsync(options.QueryDuration / 2, token);
        await progress.WriteLineAsync($"  idle: GetChurnRisk p50 {IdleChurnRisk?.P50:F2} ms p99 {IdleChurnRisk?.P99:F2} ms, "
            + $"ListAtRiskUsers p50 {IdleAtRisk?.P50:F2} ms p99 {IdleAtRisk?.P99:F2} ms");

        var rate = Math.Max(1, loadBase * 0.7);
        await progress.WriteLineAsync($"Churn queries: {options.QueryRate}/s (GetChurnRisk, ListAtRiskUsers) while ingesting {rate:N0} events/s (70%)");
        _queries = new QueryLoad(ChurnQueries(), options.QueryRate, options.Seed + 1);
        var ingest = StreamLoadDriver.IngestAtRateAsync(options, connection, workload, node, rate, options.QueryDuration, token);
        await _queries.RunAsync(options.QueryDuration, token);
        Background = await ingest;
        await progress.WriteLineAsync($"  GetChurnRisk p99 {ChurnRisk?.P99:F1} ms, ListAtRiskUsers p99 {AtRisk?.P99:F1} ms "
            + $"({PageUsersMean:F1} users a page){(Background.Gc is null ? "" : "; the node meanwhile: " + Background.Gc)}");
    }

    public JsonObject ToJson()
    {
        var json = _queries?.ToJson() ?? [];
        json["idle"] = _idle?.ToJson();
        json["skipped"] = _skipped;
        json["history"] = _history.DeepClone();
        json["training"] = _training.DeepClone();
        json["model_served_after_seconds"] = _servedAfterSeconds is { } served ? Math.Round(served, 1) : null;
        json["sweep"] = _sweep?.DeepClone();
        json["at_risk_page_users_mean"] = _pages > 0 ? Math.Round(PageUsersMean, 1) : null;
        json["background_ingest"] = Background?.ToJson();
        return json;
    }

    private double PageUsersMean => _pages > 0 ? (double)_pageUsers / _pages : 0;

    /// <summary>One user's risk (a random simulated user, all of whom have events), and the at-risk list.</summary>
    private QueryKind[] ChurnQueries() =>
    [
        new("get_churn_risk", (draw, token) => connection.Query.GetChurnRiskAsync(
            new GetChurnRiskRequest { UserId = _users[(int)(draw % (ulong)_users.Length)] }, connection.ReadCall(token)).ResponseAsync),
        new("list_at_risk_users", ListAtRiskAsync),
    ];

    /// <summary>What a dashboard's "at risk" list asks: the first page above the tenant's threshold.</summary>
    private async Task ListAtRiskAsync(ulong draw, CancellationToken token)
    {
        var page = await connection.Query.ListAtRiskUsersAsync(new ListAtRiskUsersRequest { PageSize = 50 }, connection.ReadCall(token));
        Interlocked.Increment(ref _pages);
        Interlocked.Add(ref _pageUsers, page.Users.Count);
    }

    /// <summary>A simulated product over the last <see cref="BenchOptions.ChurnDays"/> days, through
    /// the .NET client as a product app would send it.</summary>
    private async Task StreamHistoryAsync(CancellationToken token)
    {
        var simulation = new ProductSimulation(new ProductSimulationOptions
        {
            Users = options.ChurnUsers,
            Days = options.ChurnDays,
            Seed = options.Seed,
            Start = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-options.ChurnDays),
            UserIdPrefix = "churn-",
        });
        await progress.WriteLineAsync($"Churn queries: streaming {options.ChurnUsers:N0} simulated users over {options.ChurnDays} days");
        var clock = Stopwatch.StartNew();
        await using (var client = new ProductOpsClient(new ProductOpsClientOptions
        {
            Address = connection.Address,
            ApiKey = options.IngestKey,
            QueryApiKey = options.ReadKey,
            MaxBatchSize = options.BatchSize,
            MaxInFlightBatches = options.InFlight,
        }))
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.InFlight, CancellationToken = token };
            await Parallel.ForEachAsync(simulation.Identifies(), parallel, async (request, call) => await client.IdentifyAsync(request, call));
            var lastUse = new Dictionary<string, long>(StringComparer.Ordinal);
            var lastCancel = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var usageEvent in simulation.Events())
            {
                var times = usageEvent.Name == SimulatedEventNames.SubscriptionCancelled ? lastCancel : lastUse;
                var ms = usageEvent.Timestamp.ToDateTimeOffset().ToUnixTimeMilliseconds();
                times[usageEvent.UserId] = Math.Max(ms, times.GetValueOrDefault(usageEvent.UserId, long.MinValue));
                await client.TrackAsync(usageEvent, token);
            }

            // Only users with events have a risk to ask for, and not those whose cancellation came
            // after their last use: the node scores no one who has left (FailedPrecondition).
            _users = [.. lastUse
                .Where(use => !(lastCancel.TryGetValue(use.Key, out var cancelledMs) && cancelledMs >= use.Value))
                .Select(use => use.Key)
                .Order(StringComparer.Ordinal)];

            await client.FlushAsync(token);
            var stats = client.Stats;
            _history["users"] = options.ChurnUsers;
            _history["days"] = options.ChurnDays;
            _history["churned_users"] = simulation.GroundTruth.Count(user => user.Churned);
            _history["events_acked"] = stats.EventsAcknowledged;
            _history["events_rejected"] = stats.Rejected;
        }

        _history["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1);
    }

    /// <summary>Trains on the tenant's whole log and activates the result; null (and why) when no
    /// model came out.</summary>
    private async Task<int?> TrainAsync(CancellationToken token)
    {
        await connection.WaitForAggregatesAsync(TimeSpan.FromSeconds(60), token);
        var clock = Stopwatch.StartNew();
        var job = await connection.Admin.TrainModelAsync(new TrainModelRequest(), connection.AdminCall(token));
        while (job.Status is TrainingStatus.Queued or TrainingStatus.Running && clock.Elapsed < TrainingLimit)
        {
            await Task.Delay(250, token);
            job = await connection.Admin.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = job.JobId }, connection.AdminCall(token));
        }

        _training["status"] = job.Status.ToString();
        _training["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1);
        _training["users_read"] = job.UsersRead;
        _training["events_read"] = job.EventsRead;
        _training["examples"] = job.Examples;
        if (job.Status != TrainingStatus.Succeeded)
        {
            _skipped = $"training {job.Status}: {job.Error}";
            _training["error"] = job.Error;
            return null;
        }

        var model = await connection.Admin.GetModelAsync(new GetModelRequest { Version = job.ModelVersion }, connection.AdminCall(token));
        _training["model_version"] = job.ModelVersion;
        _training["auc"] = Math.Round(model.Metrics.Auc, 3);
        _training["baseline_auc"] = Math.Round(model.BaselineMetrics.Auc, 3);
        _training["beats_baseline"] = model.BeatsBaseline;
        _training["activated_by_training"] = job.Activated;
        if (!job.Activated)
        {
            await connection.Admin.ActivateModelAsync(new ActivateModelRequest { Version = job.ModelVersion }, connection.AdminCall(token));
        }

        await progress.WriteLineAsync($"  trained model v{job.ModelVersion} in {clock.Elapsed.TotalSeconds:F1} s "
            + $"({job.Examples:N0} examples, AUC {model.Metrics.Auc:F3} against the baseline's {model.BaselineMetrics.Auc:F3})");
        return job.ModelVersion;
    }

    /// <summary>A new model reaches the at-risk index through the tenant's sweep, which rescores every
    /// user within a minute or so of the change: until then the at-risk list is partial.</summary>
    private async Task WaitForSweepAsync(CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        ChurnSummary summary;
        do
        {
            await Task.Delay(1000, token);
            summary = (await connection.Query.GetOverviewAsync(new GetOverviewRequest(), connection.ReadCall(token))).Churn;
        }
        while (summary.ScoredUsers + summary.CancelledUsers < summary.Users && clock.Elapsed < SweepLimit); // cancelled users are never scored

        _sweep = new JsonObject
        {
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            ["users"] = summary.Users,
            ["scored_users"] = summary.ScoredUsers,
            ["cancelled_users"] = summary.CancelledUsers,
            ["at_risk_users"] = summary.AtRiskUsers,
        };
        await progress.WriteLineAsync($"  {summary.ScoredUsers:N0} of {summary.Users:N0} users scored ({summary.CancelledUsers:N0} cancelled) after {clock.Elapsed.TotalSeconds:F0} s, "
            + $"{summary.AtRiskUsers:N0} at risk");
    }

    /// <summary>Silos pick a new active model up within their refresh interval.</summary>
    private async Task<bool> WaitUntilServedAsync(int version, CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < ServingLimit && _users.Length > 0)
        {
            try
            {
                var risk = await connection.Query.GetChurnRiskAsync(new GetChurnRiskRequest { UserId = _users[0] }, connection.ReadCall(token));
                if (risk.ModelVersion == version)
                {
                    _servedAfterSeconds = clock.Elapsed.TotalSeconds;
                    return true;
                }
            }
            catch (RpcException failure) when (failure.StatusCode == StatusCode.FailedPrecondition)
            {
                // No model served yet.
            }

            await Task.Delay(500, token);
        }

        _skipped = $"model v{version} not served after {ServingLimit.TotalSeconds:F0} s";
        return false;
    }
}
