using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ProductOps.Churn;

namespace ProductOps.Grains;

/// <summary>Refuses training settings that cannot work, at start, naming the setting, its range
/// and the value. The trainer's and the cutoffs' own rules live beside them in ProductOps.Churn,
/// which also enforces them on every call. The trainer's section binds to the trainer's options,
/// which also carry the minimum examples: those are tenant settings, so a value under the trainer
/// would be silently ignored, and is refused instead.</summary>
public sealed class TrainingOptionsValidator(IConfiguration configuration) : IValidateOptions<TrainingOptions>
{
    private const int MaxLogPageSize = 1_000_000;
    private static readonly string[] TenantSettingsUnderTrainer = [nameof(ChurnTrainingOptions.MinChurned), nameof(ChurnTrainingOptions.MinRetained)];

    public ValidateOptionsResult Validate(string? name, TrainingOptions options)
    {
        var failures = new List<string>();
        failures.AddRange(options.Trainer.Validate($"{TrainingOptions.Section}:{nameof(options.Trainer)}"));
        failures.AddRange(options.Cutoffs.Validate($"{TrainingOptions.Section}:{nameof(options.Cutoffs)}"));
        var trainer = configuration.GetSection($"{TrainingOptions.Section}:{nameof(options.Trainer)}");
        foreach (var setting in TenantSettingsUnderTrainer.Where(s => trainer[s] is not null))
        {
            failures.Add(Setting($"{nameof(options.Trainer)}:{setting}",
                $"is not read: the minimum examples are a tenant setting (ProductOps:Tenants:<id>:{setting}, or UpdateTenantSettings)"));
        }

        if (options.LogPageSize is < 1 or > MaxLogPageSize)
        {
            failures.Add(Setting(nameof(options.LogPageSize), string.Create(CultureInfo.InvariantCulture, $"must be 1-{MaxLogPageSize}, not {options.LogPageSize}")));
        }

        Positive(failures, nameof(options.ScheduleCheckInterval), options.ScheduleCheckInterval);
        Positive(failures, nameof(options.MaxJobDuration), options.MaxJobDuration);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add(Setting(setting, $"must be above zero, not {value:c}"));
        }
    }

    private static string Setting(string setting, string reason) => $"{TrainingOptions.Section}:{setting} {reason}";
}
