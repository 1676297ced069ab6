using Microsoft.Extensions.Options;

namespace ProductOps.Grains.Abstractions;

/// <summary>Refuses a pipeline shape that cannot work, at start, naming the setting and why.</summary>
public sealed class PipelineOptionsValidator : IValidateOptions<PipelineOptions>
{
    private const int MaxPartitions = 4096;
    private static readonly TimeSpan MaxCheckpointInterval = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxGatherDelay = TimeSpan.FromSeconds(10);

    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        var failures = new List<string>();
        if (options.Partitions is < 1 or > MaxPartitions)
        {
            failures.Add(Setting(nameof(options.Partitions), $"must be 1-{MaxPartitions}, not {options.Partitions}"));
        }

        if (options.CheckpointInterval <= TimeSpan.Zero || options.CheckpointInterval > MaxCheckpointInterval)
        {
            failures.Add(Setting(nameof(options.CheckpointInterval), $"must be above zero and at most {MaxCheckpointInterval:c}, not {options.CheckpointInterval:c}"));
        }

        if (options.DispatchGatherDelay < TimeSpan.Zero || options.DispatchGatherDelay > MaxGatherDelay)
        {
            failures.Add(Setting(nameof(options.DispatchGatherDelay), $"must be 0-{MaxGatherDelay:c}, not {options.DispatchGatherDelay:c}"));
        }

        if (options.HandOffTimeout <= TimeSpan.Zero)
        {
            failures.Add(Setting(nameof(options.HandOffTimeout), $"must be above zero, not {options.HandOffTimeout:c}"));
        }

        AtLeastOne(failures, nameof(options.MaxDispatchEvents), options.MaxDispatchEvents);
        AtLeastOne(failures, nameof(options.MaxConcurrentUserCalls), options.MaxConcurrentUserCalls);
        AtLeastOne(failures, nameof(options.UserSnapshotEvery), options.UserSnapshotEvery);
        AtLeastOne(failures, nameof(options.ReceiverHistoryRewriteAfter), options.ReceiverHistoryRewriteAfter);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void AtLeastOne(List<string> failures, string setting, int value)
    {
        if (value < 1)
        {
            failures.Add(Setting(setting, $"must be at least 1, not {value}"));
        }
    }

    private static string Setting(string setting, string reason) => $"{PipelineOptions.Section}:{setting} {reason}";
}
