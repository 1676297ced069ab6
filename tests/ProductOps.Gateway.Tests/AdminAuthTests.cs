using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Gateway.Tests;

/// <summary>Every AdminService call needs the admin scope.</summary>
[Collection(AdminNodeCollection.Name)]
public sealed class AdminAuthTests(AdminNodeFixture node)
{
    public static TheoryData<string> NonAdminKeys { get; } = new() { "read", "ingest" };

    [Theory]
    [MemberData(nameof(NonAdminKeys))]
    public async Task EveryAdminCall_KeyWithoutAdminScope_PermissionDenied(string scope)
    {
        var headers = scope == "read" ? AdminTenants.Read(AdminTenants.Replay) : AdminTenants.Ingest(AdminTenants.Replay);
        var admin = node.Admin;
        Func<Task>[] calls =
        [
            async () => await admin.GetTenantSettingsAsync(new GetTenantSettingsRequest(), headers),
            async () => await admin.UpdateTenantSettingsAsync(new UpdateTenantSettingsRequest { ChurnHorizonDays = 30 }, headers),
            async () => await admin.TrainModelAsync(new TrainModelRequest(), headers),
            async () => await admin.GetTrainingJobAsync(new GetTrainingJobRequest(), headers),
            async () => await admin.ListModelsAsync(new ListModelsRequest(), headers),
            async () => await admin.GetModelAsync(new GetModelRequest { Version = 1 }, headers),
            async () => await admin.ActivateModelAsync(new ActivateModelRequest { Version = 1 }, headers),
        ];

        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        }

        // Nothing was changed or started by the refused calls.
        var settings = await admin.GetTenantSettingsAsync(new GetTenantSettingsRequest(), AdminTenants.Admin(AdminTenants.Replay));
        Assert.Equal(14, settings.ChurnHorizonDays);
    }

    [Fact]
    public async Task GetTenantSettings_AdminKey_ReturnsConfiguredDefaults()
    {
        var settings = await node.Admin.GetTenantSettingsAsync(new GetTenantSettingsRequest(), AdminTenants.Admin(AdminTenants.Sparse));

        Assert.Equal(AdminTenants.Sparse, settings.Tenant);
        Assert.Equal(TenantClockKind.Event, settings.Clock);
        Assert.Equal(14, settings.ChurnHorizonDays);
        Assert.Equal(["subscription_cancelled"], settings.ChurnEvents.Names);
        Assert.Equal(0, settings.TrainingIntervalHours);
        Assert.Equal((AdminTenants.MinExamples, AdminTenants.MinExamples), (settings.MinChurned, settings.MinRetained));
        Assert.Equal(0.7, settings.AlertThreshold);
    }
}
