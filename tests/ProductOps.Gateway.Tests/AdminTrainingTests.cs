using System.Diagnostics;
using Grpc.Core;
using ProductOps.Contracts.V1;
using Xunit.Abstractions;

namespace ProductOps.Gateway.Tests;

/// <summary>Training through the AdminService on the real node: jobs in the background, the
/// registry, activation and rollback.</summary>
[Collection(AdminNodeCollection.Name)]
public sealed class AdminTrainingTests(AdminNodeFixture node, ITestOutputHelper output)
{
    private const int SimulatedUsers = 300;
    private const int SimulatedDays = 63;
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task TrainModel_TooLittleData_NotEnoughDataWithTheCounts()
    {
        // Four users active every day for 50 days: cutoffs exist, but nobody ever churns.
        var start = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var events = Enumerable.Range(0, 4).SelectMany(u => Enumerable.Range(0, 50).Select(d =>
            EventFactory.Event($"steady-{u}", $"e-{u}-{d}", "feature_used", start.AddDays(d), feature: "search"))).ToList();
        foreach (var batch in EventFactory.Batches(events, 500, "sparse"))
        {
            await node.Silo.Ingest.TrackAsync(batch, AdminTenants.Ingest(AdminTenants.Sparse));
        }

        var job = await FinishedAsync(AdminTenants.Sparse, await node.Admin.TrainModelAsync(new TrainModelRequest(), AdminTenants.Admin(AdminTenants.Sparse)));

        Assert.Equal(TrainingStatus.NotEnoughData, job.Status);
        Assert.Contains("0 churned", job.Error, StringComparison.Ordinal);
        Assert.Contains($"at least {AdminTenants.MinExamples} churned and {AdminTenants.MinExamples} retained", job.Error, StringComparison.Ordinal);
        Assert.Contains("read 200 events", job.Error, StringComparison.Ordinal);
        Assert.Equal((4, 200), (job.UsersRead, job.EventsRead));
        Assert.Equal(0, job.ModelVersion);
        Assert.Empty((await node.Admin.ListModelsAsync(new ListModelsRequest(), AdminTenants.Admin(AdminTenants.Sparse))).Models);
    }

    [Fact]
    public async Task TrainModel_SimulatedHistory_StoresModelsWithMetricsAndActivateRollsBack()
    {
        var admin = AdminTenants.Admin(AdminTenants.Replay);
        var (sent, users) = await SimulatedReplay.SendAsync(node.Silo, AdminTenants.Replay, SimulatedUsers, SimulatedDays);

        var watch = Stopwatch.StartNew();
        var first = await node.Admin.TrainModelAsync(new TrainModelRequest(), admin);
        var again = await node.Admin.TrainModelAsync(new TrainModelRequest(), admin);
        Assert.Equal(first.JobId, again.JobId); // one job at a time per tenant

        var job = await FinishedAsync(AdminTenants.Replay, first);
        output.WriteLine($"{sent:N0} events of {SimulatedUsers} users over {SimulatedDays} days; job took {watch.Elapsed.TotalSeconds:0.0} s; {job.Examples:N0} examples");
        Assert.True(job.Status == TrainingStatus.Succeeded, $"{job.Status}: {job.Error}");
        Assert.Equal((1, users, sent), (job.ModelVersion, job.UsersRead, job.EventsRead));
        Assert.True(job.Examples > 0);
        Assert.Equal(1.0, job.Progress);

        var model = await node.Admin.GetModelAsync(new GetModelRequest { Version = 1 }, admin);
        output.WriteLine($"model AUC {model.Metrics.Auc:0.000} PR-AUC {model.Metrics.PrAuc:0.000}; baseline AUC {model.BaselineMetrics.Auc:0.000} PR-AUC {model.BaselineMetrics.PrAuc:0.000}");
        Assert.Equal("FastTree", model.Trainer);
        Assert.Equal("20", model.Parameters["trees"]);
        Assert.Equal(14, model.HorizonDays);
        // Training examples whose label window reaches into the holdout are dropped, hence at most.
        Assert.InRange(model.TrainExamples + model.ValidationExamples, 1, job.Examples);
        Assert.InRange(model.Metrics.Auc, 0.5, 1.0);
        Assert.InRange(model.BaselineMetrics.Auc, 0.0, 1.0);
        Assert.True(model.Metrics.Positives > 0 && model.Metrics.Examples == model.ValidationExamples);
        Assert.Equal(10, model.Metrics.Calibration.Count);
        Assert.Equal(10, model.BaselineMetrics.Calibration.Count);
        Assert.Equal(model.Metrics.Auc > model.BaselineMetrics.Auc, model.BeatsBaseline);
        Assert.Equal(model.BeatsBaseline, job.Activated);
        Assert.Equal(job.Activated, model.Active);

        var second = await FinishedAsync(AdminTenants.Replay, await node.Admin.TrainModelAsync(new TrainModelRequest(), admin));
        Assert.NotEqual(first.JobId, second.JobId);
        Assert.Equal((TrainingStatus.Succeeded, 2), (second.Status, second.ModelVersion));

        var rolledBack = await node.Admin.ActivateModelAsync(new ActivateModelRequest { Version = 1 }, admin);

        Assert.True(rolledBack.Active);
        var models = await node.Admin.ListModelsAsync(new ListModelsRequest(), admin);
        Assert.Equal([(2, false), (1, true)], models.Models.Select(m => (m.Version, m.Active)));
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await node.Admin.ActivateModelAsync(new ActivateModelRequest { Version = 42 }, admin));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.True((await node.Admin.GetModelAsync(new GetModelRequest { Version = 1 }, admin)).Active);
    }

    /// <summary>Polls the job until it ends; checks on the way that progress never goes back.</summary>
    private async Task<TrainingJob> FinishedAsync(string tenant, TrainingJob started)
    {
        var watch = Stopwatch.StartNew();
        var last = started;
        while (last.Status is TrainingStatus.Queued or TrainingStatus.Running)
        {
            Assert.True(watch.Elapsed < JobTimeout, $"job {started.JobId} still {last.Status} ({last.Phase}) after {JobTimeout.TotalSeconds} s{Environment.NewLine}{node.Silo.Output}");
            await Task.Delay(100);
            var next = await node.Admin.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = started.JobId }, AdminTenants.Admin(tenant));
            Assert.Equal(started.JobId, next.JobId);
            Assert.True(next.Progress >= last.Progress, $"progress went back from {last.Progress} to {next.Progress}");
            last = next;
        }

        Assert.NotNull(last.FinishedAt);
        return last;
    }
}
