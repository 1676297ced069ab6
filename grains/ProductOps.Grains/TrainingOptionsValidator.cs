using System.Globalization;
using Microsoft.Extensions.Options;

namespace ProductOps.Grains;

/// <summary>Refuses training settings that cannot work, at start, naming the setting, its range
/// and the value. The trainer's and the cutoffs' own rules live beside them in ProductOps.Churn,
/// which also enforces them on every call.</summary>
public sealed class TrainingOptionsValidator : IValidateOptions<TrainingOptions>
{
    private const int MaxLogPageSize = 1_000_000;

    public ValidateOptionsResult Validate(string? name, TrainingOptions options)
    {
        var failures = new List<string>();
        failures.AddRange(options.Trainer.Validate($"{TrainingOptions.Section}:{nameof(options.Trainer)}"));
        failures.AddRange(options.Cutoffs.Validate($"{TrainingOptions.Section}:{nameof(options.Cutoffs)}"));
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
