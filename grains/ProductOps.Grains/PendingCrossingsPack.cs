using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>The stored form of a shard's crossings the feed has not taken: their lines packed as
/// the shard's lines are (<see cref="ChurnIndexPack"/> says why: thousands of them wait while the
/// feed is unreachable, and a shard is written every few seconds), and their previous probabilities.</summary>
[GenerateSerializer, Alias("productops.pending-crossings-pack")]
public sealed class PendingCrossingsPack
{
    [Id(0)] public ChurnIndexPack Lines { get; set; } = new();

    /// <summary>Each line's previous probability, NaN for none.</summary>
    [Id(1)] public float[] Previous { get; set; } = [];

    public static PendingCrossingsPack Pack(IReadOnlyList<AtRiskCrossing> crossings) => new()
    {
        Lines = ChurnIndexPack.Pack(crossings.Select(c => c.User)),
        Previous = [.. crossings.Select(c => c.PreviousProbability ?? float.NaN)],
    };

    public List<AtRiskCrossing> Unpack() =>
        [.. Lines.Unpack().Select((user, i) => new AtRiskCrossing(user, float.IsNaN(Previous[i]) ? null : Previous[i]))];
}
