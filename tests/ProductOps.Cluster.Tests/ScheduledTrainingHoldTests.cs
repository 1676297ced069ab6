using ProductOps.Domain;
using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Grains.Abstractions.Training;
using ProductOps.Simulator;
using ProductOps.Testing;
using Xunit.Abstractions;

namespace ProductOps.Cluster.Tests;

/// <summary>A scheduled training, end to end on a cluster of its own: it does not activate its
/// model while an operator's activation by hand holds automatic activation, even a model that
/// beats the one held. (The scheduler's timer only decides when to call the job grain's
/// StartScheduled, which is what this calls; when it is due is TrainingScheduleTests'.)</summary>
public sealed class ScheduledTrainingHoldTests(ITestOutputHelper output)
{
    private const string Tenant = "held";
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);

    private static readonly Dictionary<string, string?> Settings = new()
    {
        [$"ProductOps:Tenants:{Tenant}:Clock"] = "Event",
        [$"ProductOps:Tenants:{Tenant}:ChurnHorizonDays"] = "3",
        [$"ProductOps:Tenants:{Tenant}:TrainingIntervalHours"] = "0", // this test starts the scheduled job itself
        [$"ProductOps:Tenants:{Tenant}:MinChurned"] = "20",
        [$"ProductOps:Tenants:{Tenant}:MinRetained"] = "20",
        ["ProductOps:Churn:Training:Trainer:NumberOfTrees"] = "20",
    };

    [Fact]
    public Task StartScheduled_ActivationHeldByHand_BetterModelStoredNotActivated() =>
        TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, driver) =>
        {
            await driver.SendAllAsync(SimulatedHistory(users: 300, days: 63), batchSize: 500, concurrency: 4);
            await driver.WaitUntilDispatchedAsync();
            var settings = cluster.Client.GetGrain<ITenantSettingsGrain>(Tenant);
            var jobs = cluster.Client.GetGrain<ITrainingJobGrain>(Tenant);
            // A model trained with the wrong churn event ("error" counts as leaving) ranks the
            // true churners worse; an operator activates it by hand anyway, then corrects the setting.
            await settings.Update(new TenantSettingsUpdate(ChurnEvents: ["error"]));
            var mislabelled = await FinishedAsync(jobs, await jobs.Start());
            Assert.True(mislabelled.Status == TrainingStatus.Succeeded, $"{mislabelled.Status}: {mislabelled.Error}");
            Assert.True(await jobs.ActivateByHand(mislabelled.ModelVersion!.Value));
            await settings.Update(new TenantSettingsUpdate(ChurnEvents: ["subscription_cancelled"]));

            var scheduled = await FinishedAsync(jobs, await jobs.StartScheduled());

            output.WriteLine(scheduled.Activation?.Reason);
            Assert.True(scheduled.Status == TrainingStatus.Succeeded, $"{scheduled.Status}: {scheduled.Error}");
            Assert.True(scheduled.Scheduled);
            Assert.Equal((ActivationDecision.Held, false, 2), (scheduled.Activation!.Decision, scheduled.Activated, scheduled.ModelVersion));
            Assert.Contains("automatic activation is held since version 1 was activated by hand", scheduled.Activation.Reason, StringComparison.Ordinal);
            var models = await cluster.Client.GetGrain<IModelRegistryGrain>(Tenant).List();
            Assert.Equal([(1, true), (2, false)], models.Select(m => (m.Version, m.IsActive)).Order());
            Assert.Equal(1, (await jobs.GetAutoActivationHold())?.Version);
        }, Settings);

    /// <summary>A seed-fixed simulated product (whose churners fade out, some cancelling), as the
    /// gateway would log it.</summary>
    private static List<TrackedEvent> SimulatedHistory(int users, int days) =>
        [.. new ProductSimulation(new ProductSimulationOptions { Seed = 7, Users = users, Days = days }).Events().Select(e => new TrackedEvent(
            Tenant,
            e.UserId,
            e.EventId,
            e.Name,
            e.Feature,
            e.Timestamp.ToDateTimeOffset().ToUnixTimeMilliseconds(),
            e.Value,
            e.SessionId,
            e.Properties.Count == 0 ? null : new Dictionary<string, string>(e.Properties, StringComparer.Ordinal)))];

    private static async Task<TrainingJob> FinishedAsync(ITrainingJobGrain jobs, TrainingJob job)
    {
        await Polling.Until(async () => (job = (await jobs.Get(job.JobId))!).IsFinished, JobTimeout, () => $"still {job.Status} ({job.Phase})");
        return job;
    }
}
