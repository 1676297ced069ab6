using System.Globalization;
using Microsoft.Extensions.Options;

namespace ProductOps.Gateway;

/// <summary>Refuses gateway settings that cannot work, at start, naming the setting and why.</summary>
public sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    private const int MaxInFlightEvents = 100_000_000;
    private const long MinInFlightBytes = 1024 * 1024;
    private const long MaxInFlightBytes = 64L * 1024 * 1024 * 1024;
    private const double MinInFlightShare = 0.01;
    private const int MaxInFlightBatchesPerStream = 10_000;
    private const int MaxTrackStreamsPerTenant = 100_000;
    private const int MaxWatchesPerTenant = 100_000;
    private const int MaxExportsPerTenant = 10_000;
    private static readonly TimeSpan MaxCounterFlushInterval = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        if (options.MaxInFlightEvents is < 1 or > MaxInFlightEvents)
        {
            failures.Add(Setting(nameof(options.MaxInFlightEvents), $"must be 1-{N(MaxInFlightEvents)}, not {N(options.MaxInFlightEvents)}"));
        }

        if (options.MaxInFlightBytes is < MinInFlightBytes or > MaxInFlightBytes)
        {
            failures.Add(Setting(nameof(options.MaxInFlightBytes), $"must be {N(MinInFlightBytes)}-{N(MaxInFlightBytes)} (1 MiB-64 GiB), not {N(options.MaxInFlightBytes)}"));
        }

        if (!(options.MaxInFlightSharePerTenant is >= MinInFlightShare and <= 1))
        {
            failures.Add(Setting(nameof(options.MaxInFlightSharePerTenant), $"must be {MinInFlightShare.ToString(CultureInfo.InvariantCulture)}-1, not {options.MaxInFlightSharePerTenant.ToString(CultureInfo.InvariantCulture)}"));
        }

        if (options.MaxInFlightBatchesPerStream is < 1 or > MaxInFlightBatchesPerStream)
        {
            failures.Add(Setting(nameof(options.MaxInFlightBatchesPerStream), $"must be 1-{N(MaxInFlightBatchesPerStream)}, not {N(options.MaxInFlightBatchesPerStream)}"));
        }

        if (options.MaxTrackStreamsPerTenant is < 1 or > MaxTrackStreamsPerTenant)
        {
            failures.Add(Setting(nameof(options.MaxTrackStreamsPerTenant), $"must be 1-{N(MaxTrackStreamsPerTenant)}, not {N(options.MaxTrackStreamsPerTenant)}"));
        }

        if (options.MaxWatchesPerTenant is < 1 or > MaxWatchesPerTenant)
        {
            failures.Add(Setting(nameof(options.MaxWatchesPerTenant), $"must be 1-{N(MaxWatchesPerTenant)}, not {N(options.MaxWatchesPerTenant)}"));
        }

        if (options.MaxViewWatchesPerTenant is < 1 or > MaxWatchesPerTenant)
        {
            failures.Add(Setting(nameof(options.MaxViewWatchesPerTenant), $"must be 1-{N(MaxWatchesPerTenant)}, not {N(options.MaxViewWatchesPerTenant)}"));
        }

        if (options.MaxExportsPerTenant is < 1 or > MaxExportsPerTenant)
        {
            failures.Add(Setting(nameof(options.MaxExportsPerTenant), $"must be 1-{N(MaxExportsPerTenant)}, not {N(options.MaxExportsPerTenant)}"));
        }

        if (options.CounterFlushInterval <= TimeSpan.Zero || options.CounterFlushInterval > MaxCounterFlushInterval)
        {
            failures.Add(Setting(nameof(options.CounterFlushInterval), $"must be above zero and at most {MaxCounterFlushInterval:c}, not {options.CounterFlushInterval:c}"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Setting(string setting, string reason) => $"{GatewayOptions.Section}:{setting} {reason}";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
