using System.Collections.Concurrent;
using System.Globalization;
using Grpc.Core;
using ProductOps.Churn;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Gateway.Query;
using ProductOps.Simulator;
using ProductOps.Testing;

namespace ProductOps.Gateway.Tests;

/// <summary>
/// A node with a tenant on the event clock that a whole simulated history (months in the past)
/// was replayed into over gRPC, with a churn model trained on the same events and activated.
/// A WatchAtRisk call is opened before the activation and collects every alert.
/// </summary>
public sealed class ChurnNodeFixture : IAsyncLifetime
{
    public const string Tenant = "sim";
    public const string IngestKey = "sim-ingest-key";
    public const string ReadKey = "sim-read-key";
    public const string AdminKey = "sim-admin-key";
    public const double AlertThreshold = 0.5;
    private const int BatchSize = 500;
    private const int InFlightBatches = 4;

    private readonly string _dataDir = TempDirectory.Create();
    private SiloProcess? _node;
    private AsyncServerStreamingCall<AtRiskAlert>? _watch;
    private Task? _watching;

    public static Metadata Read { get; } = DemoTenant.Headers(ReadKey);

    public static Metadata Ingest { get; } = DemoTenant.Headers(IngestKey);

    public ProductSimulation Simulation { get; } = new(new ProductSimulationOptions
    {
        Seed = 20_261_124,
        Users = 500,
        Days = 84,
        Start = new DateOnly(2025, 3, 3),
    });

    public SiloProcess Node => _node ?? throw new InvalidOperationException("the node is not started");

    public QueryService.QueryServiceClient Query => Node.Query;

    public AdminService.AdminServiceClient Admin => new(Node.Channel);

    /// <summary>The replayed events per user, as the log holds them.</summary>
    public List<UserHistory> Histories { get; private set; } = [];

    /// <summary>Users with usage events: the users the churn index lists (identify calls alone make a
    /// user with nothing to score).</summary>
    public List<string> KnownUsers { get; private set; } = [];

    /// <summary>Known users who cancelled, with the time: their latest cancellation is at or after
    /// their latest other usage event (the lifecycle's rule), from the replayed events.</summary>
    public Dictionary<string, long> CancelledUsers { get; private set; } = [];

    public int ModelVersion { get; private set; }

    /// <summary>The finished training job that produced the served model.</summary>
    public TrainingJob? TrainingJob { get; private set; }

    /// <summary>The resume token of the watch's start, from its response headers.</summary>
    public string WatchStartToken { get; private set; } = string.Empty;

    /// <summary>Every alert the watch received so far.</summary>
    public ConcurrentQueue<AtRiskAlert> Alerts { get; } = new();

    public async Task InitializeAsync()
    {
        _node = await SiloProcess.StartAsync(_dataDir, settings: new Dictionary<string, string>
        {
            [$"ProductOps:Tenants:{Tenant}:Clock"] = "Event",
            [$"ProductOps:Tenants:{Tenant}:ChurnEvents:0"] = SimulatedEventNames.SubscriptionCancelled,
            [$"ProductOps:Tenants:{Tenant}:AlertThreshold"] = AlertThreshold.ToString(CultureInfo.InvariantCulture),
            [$"ProductOps:Tenants:{Tenant}:Keys:0:Key"] = IngestKey,
            [$"ProductOps:Tenants:{Tenant}:Keys:0:Scopes:0"] = "ingest",
            [$"ProductOps:Tenants:{Tenant}:Keys:1:Key"] = ReadKey,
            [$"ProductOps:Tenants:{Tenant}:Keys:1:Scopes:0"] = "read",
            [$"ProductOps:Tenants:{Tenant}:Keys:2:Key"] = AdminKey,
            [$"ProductOps:Tenants:{Tenant}:Keys:2:Scopes:0"] = "admin",
            [$"ProductOps:Tenants:{Tenant}:TrainingIntervalHours"] = "0",
            ["ProductOps:Churn:Training:Trainer:NumberOfTrees"] = "100",
            ["ProductOps:Churn:ModelRefreshInterval"] = "00:00:00.500",
            ["ProductOps:Churn:RescoreDelay"] = "00:00:00.200",
            ["ProductOps:Churn:SweepCheckInterval"] = "00:00:00.500",
        });

        // Response headers mean the watch is in place: every later crossing reaches it.
        _watch = Query.WatchAtRisk(new WatchAtRiskRequest(), Read);
        var headers = await _watch.ResponseHeadersAsync.WaitAsync(TimeSpan.FromSeconds(30));
        WatchStartToken = headers.GetValue(QueryGrpcService.AtRiskResumeHeader) ?? string.Empty;
        _watching = CollectAlertsAsync(_watch);

        await ReplayAsync();
        ModelVersion = await TrainAndActivateAsync();
    }

    public async Task DisposeAsync()
    {
        _watch?.Dispose(); // cancels the call
        if (_watching is not null)
        {
            await _watching;
        }

        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        TempDirectory.Delete(_dataDir);
    }

    /// <summary>Every prediction the node exports, once each user is scored by the active model
    /// (or exported as cancelled).</summary>
    public async Task<List<ChurnRiskView>> ExportWhenSweptAsync() => await Polling.Eventually(async () =>
    {
        var exported = new List<ChurnRiskView>();
        using var call = Query.ExportPredictions(new ExportPredictionsRequest(), Read);
        await foreach (var view in call.ResponseStream.ReadAllAsync())
        {
            exported.Add(view);
        }

        Assert.Equal(KnownUsers.Count, exported.Count);
        Assert.All(exported, v => Assert.True(v.CancelledAt is not null || v.ModelVersion == ModelVersion, $"{v.UserId}: model {v.ModelVersion}"));
        return exported;
    }, TimeSpan.FromSeconds(60), () => Node.Output);

    /// <summary>Streams the simulation's identify calls and events to the tenant, as a client
    /// importing its history would, and waits until all of it is in the aggregates.</summary>
    private async Task ReplayAsync()
    {
        var ingest = Node.Ingest;
        var byUser = new Dictionary<string, List<TrackedEvent>>(StringComparer.Ordinal);
        foreach (var identify in Simulation.Identifies())
        {
            await ingest.IdentifyAsync(identify, Ingest);
            HistoryOf(byUser, identify.UserId).Add(new TrackedEvent(
                Tenant, identify.UserId, identify.EventId, EventNames.Identify, string.Empty, Ms(identify.Timestamp), 0, string.Empty,
                new Dictionary<string, string>(identify.Traits, StringComparer.Ordinal)));
        }

        var events = Simulation.Events().ToList();
        foreach (var e in events)
        {
            HistoryOf(byUser, e.UserId).Add(new TrackedEvent(
                Tenant, e.UserId, e.EventId, e.Name, e.Feature, Ms(e.Timestamp), e.Value, e.SessionId,
                e.Properties.Count == 0 ? null : new Dictionary<string, string>(e.Properties, StringComparer.Ordinal)));
        }

        using var inFlight = new SemaphoreSlim(InFlightBatches);
        await Task.WhenAll(events.Chunk(BatchSize).Select(async batch =>
        {
            await inFlight.WaitAsync();
            try
            {
                var request = new TrackRequest();
                request.Events.AddRange(batch);
                var response = await ingest.TrackAsync(request, Ingest);
                Assert.Empty(response.Rejected);
            }
            finally
            {
                inFlight.Release();
            }
        }));

        Histories = [.. byUser.Select(u => new UserHistory(u.Key, u.Value))];
        KnownUsers = [.. Histories.Where(h => h.Events.Any(e => e.Name != EventNames.Identify)).Select(h => h.UserId)];
        CancelledUsers = Histories.Select(h => (h.UserId, Cancelled: CancelledAt(h))).Where(u => u.Cancelled is not null)
            .ToDictionary(u => u.UserId, u => u.Cancelled!.Value, StringComparer.Ordinal);
        await Polling.Eventually(async () =>
        {
            var overview = await Query.GetOverviewAsync(new GetOverviewRequest(), Read);
            Assert.True(overview.Freshness.CaughtUp);
            Assert.Equal(KnownUsers.Count, overview.Churn.Users); // every user has reached the at-risk index
        }, TimeSpan.FromSeconds(60), () => Node.Output);
    }

    /// <summary>Trains the tenant's model the way an operator does, through AdminService (a
    /// background job reading the node's event log), and makes that version active whether or
    /// not it beat the baseline, so the queries always have a model to serve.</summary>
    private async Task<int> TrainAndActivateAsync()
    {
        var admin = DemoTenant.Headers(AdminKey);
        var job = await Admin.TrainModelAsync(new TrainModelRequest(), admin);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (job.Status is TrainingStatus.Queued or TrainingStatus.Running)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(3), $"training job still {job.Status} ({job.Phase}){Environment.NewLine}{Node.Output}");
            await Task.Delay(200);
            job = await Admin.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = job.JobId }, admin);
        }

        Assert.True(job.Status == TrainingStatus.Succeeded, $"training job {job.Status}: {job.Error}");
        TrainingJob = job;
        await Admin.ActivateModelAsync(new ActivateModelRequest { Version = job.ModelVersion }, admin);
        return job.ModelVersion;
    }

    private async Task CollectAlertsAsync(AsyncServerStreamingCall<AtRiskAlert> watch)
    {
        try
        {
            await foreach (var alert in watch.ResponseStream.ReadAllAsync())
            {
                Alerts.Enqueue(alert);
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
        {
            // the fixture stops watching
        }
    }

    private static long? CancelledAt(UserHistory user)
    {
        var usage = user.Events.Where(e => e.Name != EventNames.Identify).ToList();
        var cancelled = usage.Where(e => e.Name == SimulatedEventNames.SubscriptionCancelled).Select(e => (long?)e.TimestampMs).Max();
        var engaged = usage.Where(e => e.Name != SimulatedEventNames.SubscriptionCancelled).Select(e => (long?)e.TimestampMs).Max();
        return cancelled >= (engaged ?? long.MinValue) ? cancelled : null;
    }

    private static long Ms(Google.Protobuf.WellKnownTypes.Timestamp timestamp) => timestamp.ToDateTimeOffset().ToUnixTimeMilliseconds();

    private static List<TrackedEvent> HistoryOf(Dictionary<string, List<TrackedEvent>> byUser, string userId)
    {
        if (!byUser.TryGetValue(userId, out var list))
        {
            byUser[userId] = list = [];
        }

        return list;
    }
}
