using System.Globalization;
using Microsoft.Extensions.Options;
using ProductOps.Domain;

namespace ProductOps.Gateway;

/// <summary>Refuses request and event limits that cannot work, at start, naming the setting and why.</summary>
public sealed class IngestLimitsValidator : IValidateOptions<IngestLimits>
{
    /// <summary>Largest request limit: gRPC holds a whole message in memory before anything reads it.</summary>
    public const int MaxRequestBytes = 64 * 1024 * 1024;

    private const int MinBytes = 1024;
    private const int MaxEventsPerRequest = 100_000;
    private const int MaxProperties = 10_000;
    private const int MaxIdLength = 10_000;
    private const int MaxFeaturesPerTenant = 1_000_000;
    private static readonly TimeSpan MaxFutureSkew = TimeSpan.FromDays(7);

    // Past 2^53 (about 9e15) a double no longer holds every whole number: no sum of values would be exact.
    private const double MaxAbsValue = 1e15;

    public ValidateOptionsResult Validate(string? name, IngestLimits options)
    {
        var failures = new List<string>();
        Within(failures, nameof(options.MaxEventsPerRequest), options.MaxEventsPerRequest, 1, MaxEventsPerRequest);
        Within(failures, nameof(options.MaxRequestBytes), options.MaxRequestBytes, MinBytes, MaxRequestBytes, " (64 MiB)");

        // One event of the largest size must fit in a request.
        Within(failures, nameof(options.MaxEventBytes), options.MaxEventBytes, MinBytes, Math.Max(MinBytes, options.MaxRequestBytes), " (MaxRequestBytes)");
        Within(failures, nameof(options.MaxProperties), options.MaxProperties, 1, MaxProperties);
        Within(failures, nameof(options.MaxIdLength), options.MaxIdLength, 1, MaxIdLength);

        // Every feature is a grain and a name in the tenant's record, and ListFeatures reads them all.
        Within(failures, nameof(options.MaxFeaturesPerTenant), options.MaxFeaturesPerTenant, 1, MaxFeaturesPerTenant);
        if (options.MaxFutureSkew <= TimeSpan.Zero || options.MaxFutureSkew > MaxFutureSkew)
        {
            failures.Add(Setting(nameof(options.MaxFutureSkew), $"must be above zero and at most {MaxFutureSkew:c}, not {options.MaxFutureSkew:c}"));
        }

        if (!(options.MaxAbsValue is > 0 and <= MaxAbsValue))
        {
            failures.Add(Setting(nameof(options.MaxAbsValue), string.Create(CultureInfo.InvariantCulture, $"must be above 0 and at most {MaxAbsValue:R}, not {options.MaxAbsValue:R}")));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Within(List<string> failures, string setting, int value, int min, int max, string maxNote = "")
    {
        if (value < min || value > max)
        {
            failures.Add(Setting(setting, $"must be {N(min)}-{N(max)}{maxNote}, not {N(value)}"));
        }
    }

    private static string Setting(string setting, string reason) => $"{IngestLimits.Section}:{setting} {reason}";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
