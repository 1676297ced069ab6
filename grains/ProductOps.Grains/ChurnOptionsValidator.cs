using Microsoft.Extensions.Options;

namespace ProductOps.Grains;

/// <summary>Refuses churn serving settings that cannot work, at start, naming the setting, its
/// range and the value.</summary>
public sealed class ChurnOptionsValidator : IValidateOptions<ChurnOptions>
{
    private const int MaxSweepConcurrency = 10_000;

    public ValidateOptionsResult Validate(string? name, ChurnOptions options)
    {
        var failures = new List<string>();
        NotNegative(failures, nameof(options.ModelRefreshInterval), options.ModelRefreshInterval);
        NotNegative(failures, nameof(options.RescoreDelay), options.RescoreDelay);
        if (options.SweepCheckInterval <= TimeSpan.Zero)
        {
            failures.Add(Setting(nameof(options.SweepCheckInterval), $"must be above zero, not {options.SweepCheckInterval:c}"));
        }

        if (options.SweepConcurrency is < 1 or > MaxSweepConcurrency)
        {
            failures.Add(Setting(nameof(options.SweepConcurrency), $"must be 1-{MaxSweepConcurrency}, not {options.SweepConcurrency}"));
        }

        NotNegative(failures, nameof(options.IndexPersistInterval), options.IndexPersistInterval);
        NotNegative(failures, nameof(options.IndexScorePersistInterval), options.IndexScorePersistInterval);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void NotNegative(List<string> failures, string setting, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            failures.Add(Setting(setting, $"must not be negative, not {value:c}"));
        }
    }

    private static string Setting(string setting, string reason) => $"{ChurnOptions.Section}:{setting} {reason}";
}
