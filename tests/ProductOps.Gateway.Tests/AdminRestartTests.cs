using Grpc.Core;
using ProductOps.Contracts.V1;
using static ProductOps.Testing.Polling;

namespace ProductOps.Gateway.Tests;

/// <summary>Admin state across a crash of the node: settings changed through the AdminService
/// take effect without a restart and are kept; a training job cut short reads as interrupted.
/// Each test has its own node and data.</summary>
public sealed class AdminRestartTests
{
    private static readonly Metadata Admin = DemoTenant.Headers(DemoTenant.AdminKey);

    [Fact]
    public async Task UpdateTenantSettings_ThenCrashAndRestart_TakesEffectLiveAndIsKept()
    {
        using var data = new TempDirectory();
        var update = new UpdateTenantSettingsRequest
        {
            Clock = TenantClockKind.Event,
            ChurnHorizonDays = 30,
            ChurnEvents = new ChurnEventNames { Names = { "plan_downgraded", "account_closed" } },
            TrainingIntervalHours = 0,
            AlertThreshold = 0.5,
        };
        TenantSettings updated;
        await using (var first = await SiloProcess.StartAsync(data.Path, settings: AdminTenants.NodeSettings))
        {
            var admin = new AdminService.AdminServiceClient(first.Channel);
            Assert.Equal("wall", (await first.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read)).Clock);

            updated = await admin.UpdateTenantSettingsAsync(update, Admin);
            var partial = await admin.UpdateTenantSettingsAsync(new UpdateTenantSettingsRequest { MinChurned = 7 }, Admin);

            Assert.Equal((TenantClockKind.Event, 30, 0, 0.5), (updated.Clock, updated.ChurnHorizonDays, updated.TrainingIntervalHours, updated.AlertThreshold));
            Assert.Equal(["plan_downgraded", "account_closed"], updated.ChurnEvents.Names);
            Assert.Equal(100, updated.MinChurned); // the configured default, not set by the update
            Assert.Equal(7, partial.MinChurned);
            Assert.Equal(updated.ChurnHorizonDays, partial.ChurnHorizonDays); // fields not set are kept
            // The tenant grain reads the clock from the silo's directory: the change is live.
            await Eventually(async () => Assert.Equal("event", (await first.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read)).Clock),
                TimeSpan.FromSeconds(10), () => first.Output);
            await first.CrashAsync();
        }

        await using var second = await SiloProcess.StartAsync(data.Path, settings: AdminTenants.NodeSettings);
        var restarted = await new AdminService.AdminServiceClient(second.Channel).GetTenantSettingsAsync(new GetTenantSettingsRequest(), Admin);

        var expected = updated.Clone();
        expected.MinChurned = 7;
        Assert.Equal(expected, restarted);
        await Eventually(async () => Assert.Equal("event", (await second.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read)).Clock),
            TimeSpan.FromSeconds(10), () => second.Output);
    }

    [Fact]
    public async Task TrainModel_NodeCrashesWhileItRuns_JobReadsAsInterruptedAfterRestart()
    {
        using var data = new TempDirectory();
        var admin = AdminTenants.Admin(AdminTenants.Replay);
        TrainingJob started;
        await using (var first = await SiloProcess.StartAsync(data.Path, settings: AdminTenants.NodeSettings))
        {
            await SimulatedReplay.SendAsync(first, AdminTenants.Replay, users: 100, days: 63);
            started = await new AdminService.AdminServiceClient(first.Channel).TrainModelAsync(new TrainModelRequest(), admin);
            await first.CrashAsync(); // a job over 100 users' history takes seconds: it is cut short
        }

        Assert.Contains(started.Status, new[] { TrainingStatus.Queued, TrainingStatus.Running });
        await using var second = await SiloProcess.StartAsync(data.Path, settings: AdminTenants.NodeSettings);
        var job = await new AdminService.AdminServiceClient(second.Channel).GetTrainingJobAsync(new GetTrainingJobRequest { JobId = started.JobId }, admin);

        Assert.Equal(TrainingStatus.Failed, job.Status);
        Assert.StartsWith("interrupted", job.Error, StringComparison.Ordinal);
        Assert.NotNull(job.FinishedAt);
        Assert.Empty((await new AdminService.AdminServiceClient(second.Channel).ListModelsAsync(new ListModelsRequest(), admin)).Models);
    }
}
