using System.Globalization;
using Microsoft.Extensions.Options;

namespace ProductOps.Storage;

/// <summary>Refuses embedded-store settings that cannot work, at start, naming the setting and why.</summary>
public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    private const int MaxDedupMergeEvents = 1_000_000;

    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        if (options.DedupMergeEvents is < 1 or > MaxDedupMergeEvents)
        {
            failures.Add(Setting(nameof(options.DedupMergeEvents), $"must be 1-{N(MaxDedupMergeEvents)}, not {N(options.DedupMergeEvents)}"));
        }

        if (options.DedupFilterMaxBytes is not 0 and (< StorageOptions.MinDedupFilterBytes or > StorageOptions.MaxDedupFilterBytes))
        {
            failures.Add(Setting(nameof(options.DedupFilterMaxBytes),
                $"must be 0 (no filter) or {N(StorageOptions.MinDedupFilterBytes)} (1 MiB) to {N(StorageOptions.MaxDedupFilterBytes)} (16 GiB), not {N(options.DedupFilterMaxBytes)}"));
        }

        if (options.LogWriterPageCacheKiB is < StorageOptions.MinLogWriterPageCacheKiB or > StorageOptions.MaxLogWriterPageCacheKiB)
        {
            failures.Add(Setting(nameof(options.LogWriterPageCacheKiB),
                $"must be {N(StorageOptions.MinLogWriterPageCacheKiB)}-{N(StorageOptions.MaxLogWriterPageCacheKiB)} (1 GiB), not {N(options.LogWriterPageCacheKiB)}"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Setting(string setting, string reason) => $"{StorageOptions.Section}:{setting} {reason}";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
