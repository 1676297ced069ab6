using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>
/// The one set of rules for tenant settings, applied to configured defaults at start and to every
/// update through the admin API. Failures name the field as the API spells it.
/// </summary>
public static class TenantSettingsValidator
{
    public const int MaxHorizonDays = 365;
    public const int MaxTrainingIntervalHours = 24 * 365;
    public const int MaxChurnEvents = 32;
    public const int MaxEventNameLength = 200;

    /// <summary>Every problem of the fields the update sets; empty when it is valid.</summary>
    public static IReadOnlyList<ValidationFailure> Validate(TenantSettingsUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var failures = new List<ValidationFailure>();
        if (update.Clock is { } clock && !Enum.IsDefined(clock))
        {
            failures.Add(new("clock", "must be wall or event"));
        }

        if (update.ChurnHorizonDays is < 1 or > MaxHorizonDays)
        {
            failures.Add(new("churn_horizon_days", $"is {update.ChurnHorizonDays}; must be 1 to {MaxHorizonDays}"));
        }

        if (update.ChurnEvents is { } names)
        {
            failures.AddRange(ValidateChurnEvents(names));
        }

        if (update.AlertThreshold is { } threshold && (double.IsNaN(threshold) || threshold <= 0 || threshold > 1))
        {
            failures.Add(new("alert_threshold", $"is {threshold}; must be above 0 and at most 1"));
        }

        if (update.TrainingIntervalHours is < 0 or > MaxTrainingIntervalHours)
        {
            failures.Add(new("training_interval_hours", $"is {update.TrainingIntervalHours}; must be 0 (on demand only) to {MaxTrainingIntervalHours}"));
        }

        if (update.MinChurned is < 1)
        {
            failures.Add(new("min_churned", $"is {update.MinChurned}; must be at least 1"));
        }

        if (update.MinRetained is < 1)
        {
            failures.Add(new("min_retained", $"is {update.MinRetained}; must be at least 1"));
        }

        return failures;
    }

    private static IEnumerable<ValidationFailure> ValidateChurnEvents(IReadOnlyList<string> names)
    {
        if (names.Count > MaxChurnEvents)
        {
            yield return new("churn_events", $"holds {names.Count} names; at most {MaxChurnEvents} are allowed");
            yield break;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (string.IsNullOrWhiteSpace(name) || name.Length > MaxEventNameLength)
            {
                yield return new($"churn_events[{i}]", $"an event name is 1 to {MaxEventNameLength} characters, not blank");
            }
            else if (!seen.Add(name))
            {
                yield return new($"churn_events[{i}]", $"'{name}' is listed twice");
            }
        }
    }
}
