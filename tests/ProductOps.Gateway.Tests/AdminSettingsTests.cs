using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Gateway.Tests;

/// <summary>UpdateTenantSettings refuses bad values whole, naming the field, and changes nothing.</summary>
[Collection(AdminNodeCollection.Name)]
public sealed class AdminSettingsTests(AdminNodeFixture node)
{
    public static TheoryData<UpdateTenantSettingsRequest, string> BadUpdates { get; } = new()
    {
        { new UpdateTenantSettingsRequest { ChurnHorizonDays = 0 }, "churn_horizon_days" },
        { new UpdateTenantSettingsRequest { ChurnHorizonDays = 366 }, "churn_horizon_days" },
        { new UpdateTenantSettingsRequest { AlertThreshold = 0 }, "alert_threshold" },
        { new UpdateTenantSettingsRequest { AlertThreshold = 1.5 }, "alert_threshold" },
        { new UpdateTenantSettingsRequest { TrainingIntervalHours = -1 }, "training_interval_hours" },
        { new UpdateTenantSettingsRequest { MinChurned = 0 }, "min_churned" },
        { new UpdateTenantSettingsRequest { MinRetained = -5 }, "min_retained" },
        { new UpdateTenantSettingsRequest { Clock = TenantClockKind.Unspecified }, "clock" },
        { new UpdateTenantSettingsRequest { ChurnEvents = new ChurnEventNames { Names = { "cancelled", " " } } }, "churn_events[1]" },
        { new UpdateTenantSettingsRequest { ChurnEvents = new ChurnEventNames { Names = { "cancelled", "cancelled" } } }, "churn_events[1]" },
        // A valid field beside a bad one: the whole update is refused.
        { new UpdateTenantSettingsRequest { MinChurned = 50, ChurnHorizonDays = 400 }, "churn_horizon_days" },
        { new UpdateTenantSettingsRequest(), "request" },
    };

    [Theory]
    [MemberData(nameof(BadUpdates))]
    public async Task UpdateTenantSettings_BadValue_InvalidArgumentNamingFieldAndNothingChanged(UpdateTenantSettingsRequest update, string field)
    {
        var headers = AdminTenants.Admin(AdminTenants.Sparse);
        var before = await node.Admin.GetTenantSettingsAsync(new GetTenantSettingsRequest(), headers);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await node.Admin.UpdateTenantSettingsAsync(update, headers));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, error.Trailers.GetValue("field"));
        Assert.StartsWith($"{field}: ", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await node.Admin.GetTenantSettingsAsync(new GetTenantSettingsRequest(), headers));
    }
}
