using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Gateway.Errors;
using ProductOps.Grains.Abstractions.Tenancy;
using ContractTenantClock = ProductOps.Contracts.V1.TenantClockKind;
using DomainTenantClock = ProductOps.Domain.TenantClock;

namespace ProductOps.Gateway.Admin;

/// <summary>Reads an UpdateTenantSettings request into an update of the fields it sets, and
/// refuses it whole, naming the field, when any value is out of range.</summary>
public static class SettingsUpdateReader
{
    /// <exception cref="RequestValidationException">A field is invalid, or none is set.</exception>
    public static TenantSettingsUpdate Read(UpdateTenantSettingsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var update = new TenantSettingsUpdate(
            Clock: request.HasClock ? ClockOf(request.Clock) : null,
            ChurnHorizonDays: request.HasChurnHorizonDays ? request.ChurnHorizonDays : null,
            ChurnEvents: request.ChurnEvents is { } events ? [.. events.Names] : null,
            AlertThreshold: request.HasAlertThreshold ? request.AlertThreshold : null,
            TrainingIntervalHours: request.HasTrainingIntervalHours ? request.TrainingIntervalHours : null,
            MinChurned: request.HasMinChurned ? request.MinChurned : null,
            MinRetained: request.HasMinRetained ? request.MinRetained : null);
        if (update == TenantSettingsUpdate.None)
        {
            throw new RequestValidationException(new ValidationFailure("request", "sets no field; set at least one to change"));
        }

        if (TenantSettingsValidator.Validate(update) is [var failure, ..])
        {
            throw new RequestValidationException(failure);
        }

        return update;
    }

    private static DomainTenantClock ClockOf(ContractTenantClock clock) => clock switch
    {
        ContractTenantClock.Wall => DomainTenantClock.Wall,
        ContractTenantClock.Event => DomainTenantClock.Event,
        _ => throw new RequestValidationException(new ValidationFailure("clock", "must be TENANT_CLOCK_KIND_WALL or TENANT_CLOCK_KIND_EVENT")),
    };
}
