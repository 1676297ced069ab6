using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>Holds a tenant's settings overrides in the configured grain storage (SQLite or
/// PostgreSQL). This silo's directory takes an update at once; the others at their next refresh
/// (<see cref="TenantSettingsRefresher"/>).</summary>
public sealed class TenantSettingsGrain(
    [PersistentState("settings", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<TenantSettingsState> state,
    TenantDirectory tenants,
    TimeProvider time)
    : Grain, ITenantSettingsGrain
{
    private string Tenant => this.GetPrimaryKeyString();

    public Task<TenantSettingsUpdate> GetOverrides() => Task.FromResult(state.State.Overrides);

    public Task<TenantSettings> Get() => Task.FromResult(state.State.Overrides.ApplyTo(tenants.DefaultsOf(Tenant)));

    public async Task<TenantSettings> Update(TenantSettingsUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (TenantSettingsValidator.Validate(update) is [var failure, ..])
        {
            throw new ArgumentException(failure.ToString(), nameof(update));
        }

        var previous = (state.State.Overrides, state.State.UpdatedAtMs);
        state.State.Overrides = state.State.Overrides.Then(update);
        state.State.UpdatedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            (state.State.Overrides, state.State.UpdatedAtMs) = previous; // not stored: not changed
            throw;
        }
        tenants.Apply(Tenant, state.State.Overrides);
        return state.State.Overrides.ApplyTo(tenants.DefaultsOf(Tenant));
    }
}
