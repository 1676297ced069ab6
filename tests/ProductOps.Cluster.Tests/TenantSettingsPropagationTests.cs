using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>A settings change reaches the tenant directory of every silo within seconds, without
/// a restart, and derived rules are built once per change.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TenantSettingsPropagationTests(ClusterFixture fixture)
{
    private static readonly TimeSpan PropagationTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Update_OnOneTenant_EverySiloDirectorySeesItWithinSeconds()
    {
        // Fields the replay oracle does not depend on, so the shared tenant's aggregates stay comparable.
        const string Tenant = EventStreamGenerator.Tenant;
        var directories = fixture.Cluster.Silos.Cast<InProcessSiloHandle>()
            .Select(s => s.SiloHost.Services.GetRequiredService<TenantDirectory>())
            .ToList();
        Assert.Equal(2, directories.Count);
        var rulesBefore = directories[0].RulesOf(Tenant);

        var updated = await fixture.Cluster.Client.GetGrain<ITenantSettingsGrain>(Tenant)
            .Update(new TenantSettingsUpdate(AlertThreshold: 0.42, TrainingIntervalHours: 0));

        Assert.Equal((0.42, 0), (updated.AlertThreshold, updated.TrainingIntervalHours));
        await Polling.Until(
            () => directories.All(d => d.SettingsOf(Tenant) == updated),
            PropagationTimeout,
            () => $"settings per silo: {string.Join(", ", directories.Select(d => d.SettingsOf(Tenant)))}");
        Assert.All(directories, d => Assert.Equal(updated.AlertThreshold, d.SettingsOf(Tenant).AlertThreshold));
        Assert.All(directories, d => Assert.Equal(0, d.SettingsOf(Tenant).TrainingIntervalHours));
        // The rules (clock, horizon, churn events) did not change: they are rebuilt, but equal.
        Assert.Equal(rulesBefore.ChurnHorizonDays, directories[1].RulesOf(Tenant).ChurnHorizonDays);
        Assert.Same(directories[1].RulesOf(Tenant), directories[1].RulesOf(Tenant));
    }

    [Fact]
    public async Task Update_BadValue_RefusedAndNothingStored()
    {
        var grain = fixture.Cluster.Client.GetGrain<ITenantSettingsGrain>("churn-bad-update");
        var before = await grain.Get();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => grain.Update(new TenantSettingsUpdate(ChurnHorizonDays: 0, MinChurned: 5)));

        Assert.Equal(before, await grain.Get());
        Assert.Equal(TenantSettingsUpdate.None, await grain.GetOverrides());
    }
}
