using ProductOps.Contracts.V1;
using ProductOps.Gateway.Admin;
using ProductOps.Gateway.Errors;
using ProductOps.Grains.Abstractions.Tenancy;
using DomainTenantClock = ProductOps.Domain.TenantClock;
using GrainTenantSettings = ProductOps.Grains.Abstractions.Tenancy.TenantSettings;

namespace ProductOps.Gateway.Tests;

/// <summary>Settings validation and partial updates, without a node.</summary>
public sealed class SettingsUpdateReaderTests
{
    [Fact]
    public void Read_OnlyPresentFields_UpdatesThoseAndKeepsTheRest()
    {
        var update = SettingsUpdateReader.Read(new UpdateTenantSettingsRequest { ChurnHorizonDays = 30, Clock = TenantClockKind.Event });

        var settings = update.ApplyTo(GrainTenantSettings.Default);

        Assert.Equal(new TenantSettingsUpdate(Clock: DomainTenantClock.Event, ChurnHorizonDays: 30), update);
        Assert.Equal((DomainTenantClock.Event, 30), (settings.Clock, settings.ChurnHorizonDays));
        Assert.Equal(GrainTenantSettings.Default.ChurnEvents, settings.ChurnEvents);
        Assert.Equal(GrainTenantSettings.Default.MinChurned, settings.MinChurned);
    }

    [Fact]
    public void Read_EmptyChurnEventList_ClearsTheNames()
    {
        var update = SettingsUpdateReader.Read(new UpdateTenantSettingsRequest { ChurnEvents = new ChurnEventNames() });

        Assert.Empty(update.ApplyTo(GrainTenantSettings.Default).ChurnEvents);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(365, true)]
    [InlineData(0, false)]
    [InlineData(366, false)]
    public void Validate_HorizonBounds(int days, bool valid) =>
        Assert.Equal(valid, TenantSettingsValidator.Validate(new TenantSettingsUpdate(ChurnHorizonDays: days)).Count == 0);

    [Theory]
    [InlineData(1.0, true)]
    [InlineData(0.01, true)]
    [InlineData(0.0, false)]
    [InlineData(1.01, false)]
    [InlineData(double.NaN, false)]
    public void Validate_AlertThresholdBounds(double threshold, bool valid) =>
        Assert.Equal(valid, TenantSettingsValidator.Validate(new TenantSettingsUpdate(AlertThreshold: threshold)).Count == 0);

    [Fact]
    public void Validate_SeveralBadFields_ReportsEachByName()
    {
        var failures = TenantSettingsValidator.Validate(new TenantSettingsUpdate(
            TrainingIntervalHours: 9_000, MinChurned: 0, MinRetained: 0, ChurnEvents: [.. Enumerable.Range(0, 33).Select(i => $"e{i}")]));

        Assert.Equal(["churn_events", "training_interval_hours", "min_churned", "min_retained"], failures.Select(f => f.Field));
        Assert.All(failures, f => Assert.False(string.IsNullOrWhiteSpace(f.Reason)));
    }

    [Fact]
    public void Validate_ConfiguredDefaults_AreValid() =>
        Assert.Empty(TenantSettingsValidator.Validate(TenantSettingsUpdate.Of(GrainTenantSettings.Default)));

    [Fact]
    public void Then_LaterUpdateWinsPerField()
    {
        var merged = new TenantSettingsUpdate(ChurnHorizonDays: 30, MinChurned: 5).Then(new TenantSettingsUpdate(MinChurned: 9));

        Assert.Equal(new TenantSettingsUpdate(ChurnHorizonDays: 30, MinChurned: 9), merged);
    }

    [Fact]
    public void Read_NoField_RefusedNamingTheRequest() =>
        Assert.Equal("request", Assert.Throws<RequestValidationException>(() => SettingsUpdateReader.Read(new UpdateTenantSettingsRequest())).Failure.Field);
}
