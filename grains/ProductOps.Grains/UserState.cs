using ProductOps.Domain;

namespace ProductOps.Grains;

[GenerateSerializer, Alias("productops.user-state")]
public sealed class UserState
{
    [Id(0)] public UserActivity Activity { get; init; } = new();

    /// <summary>The seq of the last event applied (a user lives in exactly one partition).</summary>
    [Id(1)] public long Watermark { get; set; }

    /// <summary>The deltas of events after the partition's last checkpoint, by seq, so a
    /// re-dispatch gets the very answer the first dispatch got.</summary>
    [Id(2)] public Dictionary<long, CounterDelta[]> RecentDeltas { get; init; } = [];
}
